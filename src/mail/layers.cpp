// The layer splitter; see layers.hpp. Two passes over the lines: the first marks quoted lines (and skips
// forwarded messages, which stay the sender's own), the second looks at the end of each run of own lines
// for disclaimer paragraphs and a signature block. Every look-ahead is bounded, so the work is linear.
#include "preflight/mail/layers.hpp"

#include <vector>

#include "layer_lines.hpp"

namespace preflight::mail {

namespace {

namespace ll = layer_lines;

enum class Layer : unsigned char { Own, Quoted, Signature };

using Lines = std::vector<std::string_view>;

constexpr std::size_t kMaxHeaderBlock = 8;        // lines of an Outlook header block
constexpr int kMaxSignatureLines = 12;            // non-blank lines
constexpr std::size_t kMaxSignatureBytes = 1200;
constexpr int kMaxSignatureDigits = 80;           // a few phone and fax numbers, a postal code, no list
constexpr int kMaxDisclaimerLines = 20;
constexpr std::size_t kMaxDisclaimerBytes = 2000;
constexpr int kMaxClosingBlocks = 8;              // disclaimer paragraphs (and one signature) per run

Lines split_lines(std::string_view text) {
  Lines lines;
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    pos = end + 1;
  }
  return lines;
}

std::size_t next_non_blank(const Lines& lines, std::size_t i) {
  while (i < lines.size() && ll::blank(lines[i])) ++i;
  return i;
}

// Length of the header block starting at lines[i] ("From:" then Date/Sent, To, Subject ...), or 0. Two of
// date, recipients and subject must follow the sender, so that a line "From: the sales team" is no block.
std::size_t header_block(const Lines& lines, std::size_t i) {
  if (i >= lines.size() || ll::header_field(lines[i]) != ll::Field::From) return 0;
  bool date = false, to = false, subject = false;
  std::size_t j = i + 1;
  for (; j < lines.size() && j - i < kMaxHeaderBlock; ++j) {
    const ll::Field f = ll::header_field(lines[j]);
    if (f == ll::Field::None || f == ll::Field::From) break;
    date = date || f == ll::Field::Date, to = to || f == ll::Field::To, subject = subject || f == ll::Field::Subject;
  }
  return int{date} + int{to} + int{subject} >= 2 ? j - i : 0;
}

// The lines that introduce quoted (or, in a forward, forwarded) text at lines[i]: [start, end).
struct Intro {
  std::size_t start = 0, end = 0;
  bool attribution = false;
  bool strong = true;  // false for a plain "Name wrote:", which quotes only '>' lines
  bool found() const { return end > start; }
};

Intro intro_at(const Lines& lines, std::size_t i) {
  if (ll::original_marker(lines[i])) {
    const std::size_t j = next_non_blank(lines, i + 1);
    const std::size_t block = header_block(lines, j);
    return {i, block ? j + block : i + 1, false, true};
  }
  if (const std::size_t block = header_block(lines, i)) return {i, i + block, false, true};
  if (ll::attribution(lines[i])) {
    // "On Mon, 23 Nov 2026 at 10:00, Tanaka <tanaka@" / "sample.co.jp> wrote:" wrapped over two lines.
    const bool wrapped = i > 0 && !ll::blank(lines[i - 1]) && !ll::quote_line(lines[i - 1]) &&
                         ll::trim(lines[i - 1]).substr(0, 3) == "On ";
    return {wrapped ? i - 1 : i, i + 1, true, wrapped || ll::strong_attribution(lines[i])};
  }
  return {};
}

// First pass: quoted lines. Returns nothing; marks `layer`.
void mark_quotes(const Lines& lines, bool forward, std::vector<Layer>& layer) {
  bool forward_pending = forward;  // the first marker or header block of a forwarded mail is the forward
  for (std::size_t i = 0; i < lines.size();) {
    if (ll::quote_line(lines[i])) {
      layer[i++] = Layer::Quoted;
      continue;
    }
    if (ll::forward_marker(lines[i])) {
      const std::size_t j = next_non_blank(lines, i + 1);
      const std::size_t block = header_block(lines, j);
      i = block ? j + block : i + 1;
      continue;
    }
    const Intro intro = intro_at(lines, i);
    if (!intro.found()) {
      ++i;
      continue;
    }
    if (forward_pending && !intro.attribution) {
      forward_pending = false;
      i = intro.end;
      continue;
    }
    const std::size_t next = next_non_blank(lines, intro.end);
    const bool quotes_follow = next < lines.size() && ll::quote_line(lines[next]);
    if (!intro.strong && !quotes_follow) {
      ++i;  // "as I wrote:" in the sender's own text
      continue;
    }
    for (std::size_t k = intro.start; k < intro.end; ++k) layer[k] = Layer::Quoted;
    if (quotes_follow) {
      i = intro.end;  // '>' lines follow: they are quoted one by one, answers between them are own
      continue;
    }
    for (std::size_t k = intro.end; k < lines.size(); ++k) layer[k] = Layer::Quoted;
    return;  // top-posting: everything below the introduction is the earlier mail
  }
}

struct BlockSize {
  int lines = 0, digits = 0;
  std::size_t bytes = 0;
};

BlockSize measure(const Lines& lines, std::size_t from, std::size_t to) {
  BlockSize s;
  for (std::size_t k = from; k < to; ++k) {
    s.lines += ll::blank(lines[k]) ? 0 : 1;
    s.digits += ll::digits(lines[k]);
    s.bytes += lines[k].size() + 1;
  }
  return s;
}

bool fits_signature(const BlockSize& s) {
  return s.lines <= kMaxSignatureLines + 1 && s.bytes <= kMaxSignatureBytes && s.digits <= kMaxSignatureDigits;
}

// Start of the signature ending at `end` (own lines [from, end)), or `end` when there is none. "-- "
// wins; otherwise the last separator line with a contact line below it (a framed signature's closing rule
// has nothing below it, so its opening rule is taken).
std::size_t signature_start(const Lines& lines, std::size_t from, std::size_t end) {
  std::size_t separator = end;
  bool contact = false;
  int seen = 0;
  for (std::size_t k = end; k > from && seen <= kMaxSignatureLines;) {
    --k;
    if (ll::signature_delimiter(lines[k])) return k + 1 < end && fits_signature(measure(lines, k, end)) ? k : end;
    if (ll::separator_line(lines[k])) {
      if (contact && separator == end) separator = k;
    } else if (!ll::blank(lines[k])) {
      ++seen;
      contact = contact || ll::contact_line(lines[k]);
    }
  }
  return separator < end && fits_signature(measure(lines, separator, end)) ? separator : end;
}

// Start of the disclaimer paragraph ending at `end`, or `end`.
std::size_t disclaimer_start(const Lines& lines, std::size_t from, std::size_t end) {
  std::size_t k = end;
  while (k > from && !ll::blank(lines[k - 1])) --k;
  const BlockSize s = measure(lines, k, end);
  if (k == end || s.lines > kMaxDisclaimerLines || s.bytes > kMaxDisclaimerBytes) return end;
  std::string paragraph;
  for (std::size_t i = k; i < end; ++i) paragraph.append(lines[i]).append(" ");
  return ll::disclaimer(paragraph) ? k : end;
}

std::size_t trim_blank_end(const Lines& lines, std::size_t from, std::size_t end) {
  while (end > from && ll::blank(lines[end - 1])) --end;
  return end;
}

// Second pass: at the end of the own lines [from, to), disclaimers and one signature, in any order.
void mark_closing(const Lines& lines, std::size_t from, std::size_t to, std::vector<Layer>& layer) {
  std::size_t end = trim_blank_end(lines, from, to);
  bool signature = false;
  for (int round = 0; round < kMaxClosingBlocks && end > from; ++round) {
    std::size_t start = disclaimer_start(lines, from, end);
    if (start == end && !signature) {
      start = signature_start(lines, from, end);
      signature = start < end;
    }
    if (start == end) return;
    for (std::size_t k = start; k < end; ++k) layer[k] = Layer::Signature;
    end = trim_blank_end(lines, from, start);
  }
}

void mark_signatures(const Lines& lines, std::vector<Layer>& layer) {
  for (std::size_t i = 0; i < lines.size();) {
    if (layer[i] != Layer::Own) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < lines.size() && layer[j] == Layer::Own) ++j;
    mark_closing(lines, i, j, layer);
    i = j;
  }
}

}  // namespace

TextLayers split_layers(std::string_view text, bool forward) {
  const Lines lines = split_lines(text);
  std::vector<Layer> layer(lines.size(), Layer::Own);
  mark_quotes(lines, forward, layer);
  mark_signatures(lines, layer);
  TextLayers out;
  for (std::size_t k = 0; k < lines.size(); ++k) {
    std::string& to = layer[k] == Layer::Own ? out.own : layer[k] == Layer::Quoted ? out.quoted : out.signature;
    to.append(lines[k]).append("\n");
  }
  return out;
}

}  // namespace preflight::mail
