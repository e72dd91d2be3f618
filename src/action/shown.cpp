// The To/Cc (and Resent-To/Resent-Cc) addresses a message shows after header edits; see plan.hpp.
#include <map>
#include <utility>

#include "preflight/action/plan.hpp"
#include "preflight/mail/parse.hpp"
#include "preflight/util/strings.hpp"

namespace preflight::action {

namespace {

// "To", "Cc", "Resent-To" or "Resent-Cc" in the case the message model uses, empty for any other header.
std::string to_or_cc(const std::string& name) {
  for (const char* n : {"To", "Cc", "Resent-To", "Resent-Cc"})
    if (util::iequals(name, n)) return n;
  return {};
}

void append(std::vector<mail::Address>& out, std::vector<mail::Address> more) {
  out.insert(out.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
}

}  // namespace

std::vector<mail::Address> shown_to_cc(const mail::Message& m, const std::vector<HeaderEdit>& edits) {
  std::map<std::pair<std::string, int>, const HeaderEdit*> replaced;  // (name, index) -> Change or Delete
  for (const auto& e : edits)
    if (e.kind != HeaderEdit::Kind::Add && !to_or_cc(e.name).empty()) replaced[{to_or_cc(e.name), e.index}] = &e;
  std::vector<mail::Address> out;
  for (const auto& h : m.address_headers) {
    if (!mail::shows_recipients(h.name)) continue;
    auto it = replaced.find({h.name, h.index});
    if (it == replaced.end())
      out.insert(out.end(), h.addresses.begin(), h.addresses.end());
    else if (it->second->kind == HeaderEdit::Kind::Change)
      append(out, mail::parse_address_list(it->second->value));
  }
  for (const auto& e : edits)
    if (e.kind == HeaderEdit::Kind::Add && !to_or_cc(e.name).empty()) append(out, mail::parse_address_list(e.value));
  return out;
}

}  // namespace preflight::action
