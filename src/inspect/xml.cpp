// The streaming XML tag scanner of xml.hpp. Malformed input (unclosed tags, comments, quotes) ends the scan
// at the end of the buffer instead of failing: partial text from a damaged part is still worth having.
#include "xml.hpp"

#include <cstdint>

#include "preflight/util/charset.hpp"

namespace preflight::inspect::detail {

namespace {

constexpr std::string_view kSpace = " \t\r\n";

// End of a start or end tag beginning at `lt`: the '>' outside quoted attribute values.
std::size_t tag_end(std::string_view x, std::size_t lt) {
  char quote = 0;
  for (std::size_t i = lt + 1; i < x.size(); ++i) {
    const char c = x[i];
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '>') {
      return i;
    }
  }
  return std::string_view::npos;
}

XmlTag parse_tag(std::string_view inner) {
  XmlTag t;
  if (!inner.empty() && inner.front() == '/') {
    t.closing = true;
    inner.remove_prefix(1);
  }
  if (!inner.empty() && inner.back() == '/') {
    t.self_closing = true;
    inner.remove_suffix(1);
  }
  const std::size_t sp = inner.find_first_of(kSpace);
  t.name = inner.substr(0, sp);
  if (sp != std::string_view::npos) t.attrs = inner.substr(sp + 1);
  return t;
}

// Skips markup that is not an element (comments, CDATA, processing instructions, DOCTYPE); returns the
// position after it, or npos if `lt` starts an element tag.
std::size_t skip_special(std::string_view x, std::size_t lt, const XmlHandler& h) {
  auto after = [&](std::string_view close, std::size_t from) {
    const std::size_t e = x.find(close, from);
    return e == std::string_view::npos ? x.size() : e + close.size();
  };
  const std::string_view rest = x.substr(lt);
  if (rest.starts_with("<!--")) return after("-->", lt + 4);
  if (rest.starts_with("<![CDATA[")) {
    const std::size_t end = after("]]>", lt + 9);
    const std::size_t body_end = end == x.size() && !x.ends_with("]]>") ? x.size() : end - 3;
    if (h.on_text && body_end > lt + 9) h.on_text(x.substr(lt + 9, body_end - lt - 9), true);
    return end;
  }
  if (rest.starts_with("<?")) return after("?>", lt + 2);
  if (rest.starts_with("<!")) {
    // A DOCTYPE with an internal subset ends at "]>"; its entity declarations are deliberately ignored. The
    // '[' is looked for only up to the first '>' (not through the rest of the part, which made a part of
    // many "<!x>" quadratic).
    const std::size_t gt = x.find('>', lt);
    const std::size_t bracket = rest.substr(0, gt == std::string_view::npos ? gt : gt - lt).find('[');
    if (bracket != std::string_view::npos) return after("]>", lt + bracket);
    return after(">", lt);
  }
  return std::string_view::npos;
}

// Decodes one entity body ("amp", "#x41"); false if it is not a predefined or numeric entity.
bool decode_entity(std::string& out, std::string_view e) {
  if (e == "lt") out += '<';
  else if (e == "gt") out += '>';
  else if (e == "amp") out += '&';
  else if (e == "quot") out += '"';
  else if (e == "apos") out += '\'';
  else if (e.size() >= 2 && e[0] == '#') {
    const bool hex = e[1] == 'x' || e[1] == 'X';
    std::uint32_t cp = 0;
    for (char c : e.substr(hex ? 2 : 1)) {
      int d = (c >= '0' && c <= '9') ? c - '0' : (hex && c >= 'a' && c <= 'f') ? c - 'a' + 10
                                               : (hex && c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
      if (d < 0) return false;
      cp = cp * (hex ? 16 : 10) + static_cast<std::uint32_t>(d);
      if (cp > 0x10FFFF) cp = 0x110000;  // saturate: stays invalid, never overflows
    }
    util::append_utf8(out, cp);
  } else {
    return false;
  }
  return true;
}

}  // namespace

std::string_view XmlTag::local() const {
  const std::size_t colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

void scan_xml(std::string_view x, const XmlHandler& h) {
  std::size_t pos = 0;
  unsigned tags = 0;
  while (pos < x.size()) {
    const std::size_t lt = x.find('<', pos);
    if (lt == std::string_view::npos) {
      if (h.on_text) h.on_text(x.substr(pos), false);
      return;
    }
    if (lt > pos && h.on_text) h.on_text(x.substr(pos, lt - pos), false);
    if (const std::size_t next = skip_special(x, lt, h); next != std::string_view::npos) {
      pos = next;
    } else {
      const std::size_t gt = tag_end(x, lt);
      if (gt == std::string_view::npos) return;
      if (h.on_tag) h.on_tag(parse_tag(x.substr(lt + 1, gt - lt - 1)));
      pos = gt + 1;
    }
    // Comments, declarations and CDATA count too: a part made only of them must still stop in time.
    if (++tags % 4096 == 0 && h.stop && h.stop()) return;
  }
}

std::optional<std::string> xml_attr(std::string_view attrs, std::string_view local) {
  std::size_t pos = 0;
  while (pos < attrs.size()) {
    const std::size_t eq = attrs.find('=', pos);
    if (eq == std::string_view::npos) return std::nullopt;
    std::string_view key = attrs.substr(pos, eq - pos);
    key.remove_prefix(std::min(key.find_first_not_of(kSpace), key.size()));
    key = key.substr(0, key.find_last_not_of(kSpace) + 1);
    const std::size_t q = attrs.find_first_of("\"'", eq);
    if (q == std::string_view::npos) return std::nullopt;
    const std::size_t qe = attrs.find(attrs[q], q + 1);
    const std::string_view raw = attrs.substr(q + 1, qe == std::string_view::npos ? std::string_view::npos : qe - q - 1);
    const std::size_t colon = key.find(':');
    if ((colon == std::string_view::npos ? key : key.substr(colon + 1)) == local) {
      std::string out;
      append_xml_text(out, raw, false);
      return out;
    }
    if (qe == std::string_view::npos) return std::nullopt;
    pos = qe + 1;
  }
  return std::nullopt;
}

void append_xml_text(std::string& out, std::string_view raw, bool cdata) {
  if (cdata) {
    out.append(raw);
    return;
  }
  std::size_t pos = 0;
  while (pos < raw.size()) {
    const std::size_t amp = raw.find('&', pos);
    out.append(raw.substr(pos, amp == std::string_view::npos ? std::string_view::npos : amp - pos));
    if (amp == std::string_view::npos) return;
    // Entity bodies are at most 11 characters ("#x10FFFF" and shorter): the ';' is looked for only that far,
    // not through the rest of the text (a run of bare '&' was quadratic).
    const std::size_t semi = raw.substr(amp + 1, 12).find(';');
    if (semi == std::string_view::npos || !decode_entity(out, raw.substr(amp + 1, semi))) {
      out += '&';  // not an entity we know: keep the ampersand literally
      pos = amp + 1;
    } else {
      pos = amp + 1 + semi + 1;
    }
  }
}

}  // namespace preflight::inspect::detail
