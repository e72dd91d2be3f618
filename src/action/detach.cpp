// Header edits of a rebuilt body; see detach.hpp.
#include "preflight/action/detach.hpp"

#include <algorithm>

#include "preflight/util/strings.hpp"

namespace preflight::action {

std::vector<HeaderEdit> detach_edits(const mail::DetachedMail& mail, const std::string& content_type) {
  using Kind = HeaderEdit::Kind;
  std::vector<HeaderEdit> edits;
  if (mail.top_content_type) edits.push_back({Kind::Change, "Content-Type", 1, content_type});
  else edits.push_back({Kind::Add, "Content-Type", 0, content_type});
  if (!mail.mime_version) edits.push_back({Kind::Add, "MIME-Version", 0, "1.0"});
  if (!mail.top_disposition.empty()) edits.push_back({Kind::Delete, "Content-Disposition", 1, ""});
  const std::string cte = util::to_lower(mail.top_encoding);
  if (!cte.empty() && cte != "7bit" && cte != "8bit" && cte != "binary")
    edits.push_back({Kind::Delete, "Content-Transfer-Encoding", 1, ""});
  return edits;
}

std::string rewritten_message(std::string_view raw, const std::vector<HeaderEdit>& edits, std::string_view body) {
  std::string out = apply_edits(raw, edits);
  std::size_t crlf = out.find("\r\n\r\n"), lf = out.find("\n\n");
  std::size_t end = crlf != std::string::npos && (lf == std::string::npos || crlf < lf) ? crlf + 4
                    : lf != std::string::npos                                         ? lf + 2
                                                                                      : out.size();
  if (end == out.size() && !out.ends_with("\r\n\r\n")) out += "\r\n";  // headers only: add the blank line
  out.resize(std::min(end, out.size()));
  out += body;
  return out;
}

}  // namespace preflight::action
