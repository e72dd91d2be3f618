// Notice specs; see notice_spec.hpp.
#include "notice_spec.hpp"

#include <nlohmann/json.hpp>

namespace preflight::queue::detail {

namespace {

using nlohmann::json;
constexpr int kVersion = 1;

std::vector<std::string> string_list(const json& j, const char* key) {
  std::vector<std::string> out;
  if (j.contains(key) && j[key].is_array())
    for (const auto& v : j[key])
      if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

}  // namespace

std::string notice_spec_json(const NoticeSpec& spec) {
  const NoticeInput& in = spec.input;
  json rcpts = json::array();
  for (const auto& r : in.recipients)
    rcpts.push_back({{"address", r.address}, {"external", r.external}, {"first_time", r.first_time}});
  json j = {{"notice_spec", kVersion}, {"kind", static_cast<int>(in.kind)}, {"language", static_cast<int>(in.language)},
            {"charset", static_cast<int>(in.charset)}, {"from", in.from}, {"to", in.to}, {"held_id", in.held_id},
            {"original_sender", in.original_sender}, {"original_subject", in.original_subject},
            {"recipients", rcpts}, {"reasons", in.reasons}, {"attachment_names", in.attachment_names},
            {"approvers", in.approvers}, {"comment", in.comment}, {"released", in.released},
            {"release_at", in.release_at}, {"expires_at", in.expires_at}, {"now", in.now},
            {"actions", spec.actions}, {"links_until", spec.links_until},
            {"undelivered", in.undelivered}, {"differences", in.differences}};
  json bodies = json::array();
  for (const auto& b : in.bodies)
    bodies.push_back({{"content_type", b.content_type}, {"text", b.text}, {"mark_ja", b.mark_ja}, {"mark_en", b.mark_en}});
  j["bodies"] = bodies;
  return j.dump(-1, ' ', false, json::error_handler_t::replace);  // mail text may be broken UTF-8
}

std::optional<NoticeSpec> parse_notice_spec(const std::string& text) try {
  json j = json::parse(text, nullptr, false);
  if (!j.is_object() || j.value("notice_spec", 0) != kVersion) return std::nullopt;
  NoticeSpec spec;
  NoticeInput& in = spec.input;
  in.kind = static_cast<NoticeKind>(j.value("kind", 0));
  in.language = static_cast<NoticeLanguage>(j.value("language", 0));
  in.charset = static_cast<NoticeCharset>(j.value("charset", 0));
  in.from = j.value("from", ""), in.to = j.value("to", ""), in.held_id = j.value("held_id", "");
  in.original_sender = j.value("original_sender", ""), in.original_subject = j.value("original_subject", "");
  if (j.contains("recipients") && j["recipients"].is_array())
    for (const auto& r : j["recipients"])
      if (r.is_object())
        in.recipients.push_back({r.value("address", ""), r.value("external", false), r.value("first_time", false)});
  in.reasons = string_list(j, "reasons");
  in.attachment_names = string_list(j, "attachment_names");
  in.approvers = string_list(j, "approvers");
  in.comment = j.value("comment", "");
  in.released = j.value("released", false);
  in.release_at = j.value("release_at", std::int64_t{0});
  in.expires_at = j.value("expires_at", std::int64_t{0});
  in.now = j.value("now", std::int64_t{0});
  in.undelivered = string_list(j, "undelivered");
  in.differences = string_list(j, "differences");
  if (j.contains("bodies") && j["bodies"].is_array())
    for (const auto& b : j["bodies"])
      if (b.is_object())
        in.bodies.push_back({b.value("content_type", ""), b.value("text", ""), b.value("mark_ja", ""), b.value("mark_en", "")});
  spec.actions = string_list(j, "actions");
  spec.links_until = j.value("links_until", std::int64_t{0});
  return spec;
} catch (const nlohmann::json::exception&) {  // a field of the wrong type
  return std::nullopt;
}

}  // namespace preflight::queue::detail
