// Body texts by layer and alternative group; see scan_body in content.hpp.
#include <map>
#include <utility>

#include "preflight/detect/content.hpp"
#include "preflight/mail/layers.hpp"

namespace preflight::detect {

namespace {

BodyCounts& operator+=(BodyCounts& a, const BodyCounts& b) {
  a.own += b.own;
  a.quoted += b.quoted;
  return a;
}

BodyCounts scan_part(const ContentScanner& scanner, const std::string& text, bool forward) {
  const mail::TextLayers layers = mail::split_layers(text, forward);
  BodyCounts c;
  c.own = scanner.scan(layers.own);
  c.quoted = scanner.scan(layers.quoted + layers.signature);
  // Card numbers need no context, so the layers add up; a 個人番号's context word may sit in another
  // layer than the number, so the whole text is scanned again when there is a candidate at all.
  c.own.card_number += c.quoted.card_number;
  if (c.own.my_number_candidates + c.quoted.my_number_candidates > 0) c.own.my_number = scanner.scan(text).my_number;
  return c;
}

// An attached message's shown headers are scanned whole as the sender's (they name who it was between and
// what it was about); its texts are layered on their own: what it quotes or signs stays quoted, the rest
// is the sender's, as with a forward inline (the sender sends it on). The mail's own texts follow `forward`.
BodyCounts scan_text(const ContentScanner& scanner, const mail::Message& msg, std::size_t i, bool forward) {
  const mail::TextInfo info = i < msg.text_info.size() ? msg.text_info[i] : mail::TextInfo{};
  if (info.content_type == "text/rfc822-headers") return {scanner.scan(msg.texts[i]), {}};
  return scan_part(scanner, msg.plain_text(i), forward && info.forwarded == 0);
}

}  // namespace

BodyCounts scan_body(const ContentScanner& scanner, const mail::Message& msg, bool forward) {
  BodyCounts total;
  std::map<std::pair<int, int>, BodyCounts> branches;  // (alternative group, branch) -> its parts added up
  for (std::size_t i = 0; i < msg.texts.size(); ++i) {
    const BodyCounts part = scan_text(scanner, msg, i, forward);
    const mail::TextInfo info = i < msg.text_info.size() ? msg.text_info[i] : mail::TextInfo{};
    if (info.alternative < 0) total += part;
    else branches[{info.alternative, info.branch}] += part;
  }
  std::map<int, BodyCounts> groups;  // the larger count of each fact over a group's alternatives
  for (const auto& [key, c] : branches) {
    BodyCounts& g = groups[key.first];
    g.own.take_max(c.own);
    g.quoted.take_max(c.quoted);
  }
  for (const auto& [group, c] : groups) total += c;
  return total;
}

}  // namespace preflight::detect
