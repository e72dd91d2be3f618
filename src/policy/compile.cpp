// YAML -> Policy; see compile.hpp. Walks the document once, collecting every error with its location,
// so an administrator sees all mistakes of a file at once.
#include "preflight/policy/compile.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "condition_text.hpp"
#include "preflight/detect/content.hpp"
#include "preflight/detect/lookalike.hpp"
#include "directory.hpp"
#include "preflight/mail/address.hpp"
#include "preflight/util/read_file.hpp"
#include "preflight/util/strings.hpp"

namespace preflight::policy {

namespace {

class Compiler {
 public:
  Compiler(std::string file, Policy& policy, std::vector<PolicyError>& errors)
      : file_(std::move(file)), policy_(policy), errors_(errors) {}

  void document(const YAML::Node& root, bool& saw_organisation);
  std::vector<detect::KeywordSet> keyword_sets_;

 private:
  Location at(const YAML::Node& n, int offset = 0) const {
    return {file_, n.Mark().line + 1, n.Mark().column + 1 + offset};
  }
  void error(const YAML::Node& n, std::string message, int offset = 0) {
    errors_.push_back({at(n, offset), std::move(message)});
  }
  bool expect(const YAML::Node& n, YAML::NodeType::value type, const char* what) {
    if (n.Type() == type) return true;
    error(n, std::string("expected ") + what);
    return false;
  }
  void keys(const YAML::Node& map, std::initializer_list<const char*> allowed, const char* where);
  std::string scalar(const YAML::Node& n, const char* what);
  std::vector<std::string> strings(const YAML::Node& n, const char* what);
  int number(const YAML::Node& n, const char* what);
  std::int64_t duration(const YAML::Node& n);
  void directory(const YAML::Node& n);
  void notices(const YAML::Node& n);
  void org_patterns(const YAML::Node& n, std::vector<std::string>& out);
  void partners(const YAML::Node& n);
  void partner(const YAML::Node& n);
  void hold_spec(const YAML::Node& n, ActionSpec& a);
  void approvers(const YAML::Node& n, std::vector<std::string>& out);
  void organisation(const YAML::Node& n);
  void approval_fatigue(const YAML::Node& n);
  void detach_settings(const YAML::Node& n);
  void approver_fallback(const YAML::Node& n);
  void rule(const YAML::Node& n);
  std::optional<Condition> condition(const YAML::Node& n);
  SenderScope scope(const YAML::Node& map);
  ActionSpec action(const YAML::Node& n);
  Mode mode(const YAML::Node& n);

  std::string file_;
  Policy& policy_;
  std::vector<PolicyError>& errors_;
};

// Rule ids go into the X-Preflight-Verdict header ("rules=a,b") and log lines: plain ASCII tokens only.
bool valid_rule_id(const std::string& id) {
  if (id.empty()) return false;
  for (unsigned char c : id)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
          c == '-'))
      return false;
  return true;
}

void Compiler::keys(const YAML::Node& map, std::initializer_list<const char*> allowed, const char* where) {
  for (const auto& kv : map) {
    std::string k = kv.first.Scalar();
    bool ok = false;
    for (const char* a : allowed) ok = ok || k == a;
    if (!ok) {
      std::string list;
      for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      error(kv.first, "unknown key '" + k + "' in " + where + " (allowed: " + list + ")");
    }
  }
}

std::string Compiler::scalar(const YAML::Node& n, const char* what) {
  if (!n.IsScalar()) {
    error(n, std::string("expected ") + what + " (a single value)");
    return {};
  }
  return n.Scalar();
}

std::vector<std::string> Compiler::strings(const YAML::Node& n, const char* what) {
  std::vector<std::string> out;
  if (n.IsScalar()) return {n.Scalar()};
  if (!expect(n, YAML::NodeType::Sequence, what)) return out;
  for (const auto& item : n) out.push_back(scalar(item, what));
  return out;
}

int Compiler::number(const YAML::Node& n, const char* what) {
  try {
    int v = n.as<int>();
    if (v >= 0) return v;
  } catch (const YAML::Exception&) {
  }
  error(n, std::string("expected ") + what + " (a whole number, 0 or more)");
  return 0;
}

// "30s", "5m", "2h", "3d" or a number of seconds.
std::int64_t Compiler::duration(const YAML::Node& n) {
  std::string t = scalar(n, "a duration such as 30s, 5m, 2h or 3d");
  std::int64_t unit = 1;
  if (!t.empty() && std::string("smhd").find(t.back()) != std::string::npos) {
    unit = t.back() == 's' ? 1 : t.back() == 'm' ? 60 : t.back() == 'h' ? 3600 : 86400;
    t.pop_back();
  }
  try {
    std::size_t used = 0;
    long long v = std::stoll(t, &used);
    if (used == t.size() && v >= 0) return v * unit;
  } catch (const std::exception&) {
  }
  error(n, "expected a duration such as 30s, 5m, 2h or 3d");
  return 0;
}

void Compiler::directory(const YAML::Node& n) {
  std::string path = scalar(n, "the path of the directory file (CSV or YAML)");
  if (path.empty()) return;
  std::filesystem::path p(path);
  if (p.is_relative()) p = std::filesystem::path(file_).parent_path() / p;
  DirectoryResult d = load_directory(p.string());
  if (!d.error.empty()) error(n, "directory " + p.string() + ": " + d.error);
  policy_.organisation.directory = std::move(d.entries);
}

void Compiler::org_patterns(const YAML::Node& n, std::vector<std::string>& out) {
  for (const auto& p : strings(n, "address patterns such as ml-*@example.co.jp")) out.push_back(util::to_lower(p));
}

// Partners: a list here, or the path of a YAML file holding the list (relative to this file).
void Compiler::partners(const YAML::Node& n) {
  if (n.IsScalar()) {
    std::filesystem::path p(n.Scalar());
    if (p.is_relative()) p = std::filesystem::path(file_).parent_path() / p;
    try {
      YAML::Node list = YAML::LoadFile(p.string());
      Compiler sub(p.string(), policy_, errors_);
      if (sub.expect(list, YAML::NodeType::Sequence, "a list of partners"))
        for (const auto& item : list) sub.partner(item);
    } catch (const YAML::Exception& e) {
      error(n, "partners " + p.string() + ": " + (e.msg.empty() ? "cannot read file" : e.msg));
    }
    return;
  }
  if (expect(n, YAML::NodeType::Sequence, "a list of partners or the path of a partner file"))
    for (const auto& item : n) partner(item);
}

void Compiler::partner(const YAML::Node& n) {
  if (!expect(n, YAML::NodeType::Map, "a partner: {company, names, domains}")) return;
  keys(n, {"company", "names", "domains"}, "partner");
  detect::Partner p;
  if (n["company"]) p.company = scalar(n["company"], "a company name");
  if (n["names"]) p.names = strings(n["names"], "other names");
  if (n["domains"])
    for (const auto& d : strings(n["domains"], "domains")) p.domains.push_back(detect::normalise_domain(d));
  if (p.company.empty() || p.domains.empty()) error(n, "a partner needs a company and at least one domain");
  detect::prepare_partner(p);
  policy_.organisation.partners.push_back(std::move(p));
}

void Compiler::notices(const YAML::Node& n) {
  if (!expect(n, YAML::NodeType::Map, "a map with language and charset")) return;
  keys(n, {"language", "charset"}, "notices");
  auto& org = policy_.organisation;
  if (const auto& l = n["language"]) {
    org.notice_language = scalar(l, "ja+en, ja or en");
    if (org.notice_language != "ja+en" && org.notice_language != "ja" && org.notice_language != "en")
      error(l, "notice language is ja+en, ja or en");
  }
  if (const auto& c = n["charset"]) {
    org.notice_charset = util::to_lower(scalar(c, "utf-8 or iso-2022-jp"));
    if (org.notice_charset != "utf-8" && org.notice_charset != "iso-2022-jp")
      error(c, "notice charset is utf-8 or iso-2022-jp");
  }
}

void Compiler::organisation(const YAML::Node& n) {
  if (!expect(n, YAML::NodeType::Map, "a map with internal_domains, groups, minority_external")) return;
  keys(n, {"internal_domains", "groups", "roles", "directory", "notices", "minority_external", "mailing_lists",
           "important", "partners", "split_window", "keywords", "approval_fatigue", "approver_fallback", "detach"},
       "organisation");
  if (n["approval_fatigue"]) approval_fatigue(n["approval_fatigue"]);
  if (n["detach"]) detach_settings(n["detach"]);
  if (const auto& k = n["keywords"]; k && expect(k, YAML::NodeType::Map, "a map of keyword set name -> words"))
    for (const auto& kv : k) keyword_sets_.push_back({kv.first.Scalar(), strings(kv.second, "keywords")});
  if (n["mailing_lists"]) org_patterns(n["mailing_lists"], policy_.organisation.mailing_lists);
  if (n["important"]) org_patterns(n["important"], policy_.organisation.important);
  if (n["partners"]) partners(n["partners"]);
  if (n["split_window"]) policy_.organisation.split_window_seconds = duration(n["split_window"]);
  auto& org = policy_.organisation;
  if (const auto& domains = n["internal_domains"]) {
    // A single domain may be written without brackets, like every other list; each item keeps its position.
    std::vector<YAML::Node> items;
    if (domains.IsScalar()) items.push_back(domains);
    else if (expect(domains, YAML::NodeType::Sequence, "a list of domains"))
      for (const auto& d : domains) items.push_back(d);
    for (const auto& d : items) {
      std::string dom = detect::normalise_domain(scalar(d, "a domain"));
      if (dom.empty()) continue;
      if (detect::is_public_suffix(dom))
        error(d, "'" + dom + "' is a public suffix, not an organisation's domain");
      else
        org.internal_domains.push_back(dom);
    }
  }
  // Group and role names are case-insensitive: stored lower-case, like the names rules and approvers use.
  if (const auto& g = n["groups"]; g && expect(g, YAML::NodeType::Map, "a map of group name -> sender patterns"))
    for (const auto& kv : g) {
      std::string name = util::to_lower(kv.first.Scalar());
      if (org.groups.count(name)) error(kv.first, "group '" + name + "' is defined twice (names are case-insensitive)");
      org.groups[name] = strings(kv.second, "sender patterns");
    }
  if (const auto& r = n["roles"]; r && expect(r, YAML::NodeType::Map, "a map of role name -> approver addresses"))
    for (const auto& kv : r) {
      std::string name = util::to_lower(kv.first.Scalar());
      if (org.roles.count(name)) error(kv.first, "role '" + name + "' is defined twice (names are case-insensitive)");
      auto& list = org.roles[name];
      list.clear();
      for (const auto& a : strings(kv.second, "approver addresses")) list.push_back(mail::mailbox_key(a));
    }
  if (const auto& f = n["approver_fallback"]) approver_fallback(f);
  if (n["directory"]) directory(n["directory"]);
  if (n["notices"]) notices(n["notices"]);
  if (const auto& m = n["minority_external"];
      m && expect(m, YAML::NodeType::Map, "a map with max_external and min_internal")) {
    keys(m, {"max_external", "min_internal"}, "minority_external");
    if (m["max_external"]) org.minority.max_external = number(m["max_external"], "max_external");
    if (m["min_internal"]) org.minority.min_internal = number(m["min_internal"], "min_internal");
  }
}

// organisation.approver_fallback: the role asked when an approve rule finds nobody; "none" (or "") turns it
// off, and such mail is tempfailed. A named role must exist (roles are read before this key).
void Compiler::approver_fallback(const YAML::Node& n) {
  std::string name = util::to_lower(scalar(n, "a role name, or none"));
  if (util::istarts_with(name, "role:")) name = name.substr(5);
  if (name == "none") name.clear();
  if (!name.empty() && !policy_.organisation.roles.count(name))
    error(n, "approver_fallback names the role '" + name + "', which organisation.roles does not define");
  policy_.organisation.approver_fallback = name;
}

void Compiler::approval_fatigue(const YAML::Node& n) {
  if (!expect(n, YAML::NodeType::Map, "a map with after, window and delay")) return;
  keys(n, {"after", "window", "delay"}, "approval_fatigue");
  ApprovalFatigue& f = policy_.approval_fatigue;
  if (n["after"]) f.after = number(n["after"], "after (approvals; 0 turns approval fatigue off)");
  std::size_t before = errors_.size();
  if (n["window"]) f.window_seconds = duration(n["window"]);
  if (n["delay"]) f.delay_seconds = duration(n["delay"]);
  if (errors_.size() != before || f.after == 0) return;
  if (f.window_seconds == 0) error(n["window"], "window must be longer than 0 (after: 0 turns approval fatigue off)");
  if (f.delay_seconds == 0) error(n["delay"], "delay must be longer than 0: the sender needs time to cancel");
}

// organisation.detach: how attachments a `detach` action removes are kept and served.
void Compiler::detach_settings(const YAML::Node& n) {
  if (!expect(n, YAML::NodeType::Map, "a map with expire, max_file_size, max_total_size, max_downloads, "
                                      "downloads_per_minute, except_domains")) return;
  keys(n, {"expire", "max_file_size", "max_total_size", "max_downloads", "downloads_per_minute", "except_domains"},
       "detach");
  DetachSettings& d = policy_.detach;
  if (const auto& e = n["expire"]) {
    std::size_t before = errors_.size();
    d.expire_seconds = duration(e);
    if (errors_.size() == before && d.expire_seconds == 0) error(e, "expire must be longer than 0: links would die at once");
  }
  if (n["max_file_size"]) d.max_file_bytes = number(n["max_file_size"], "max_file_size (bytes)");
  if (n["max_total_size"]) d.max_total_bytes = number(n["max_total_size"], "max_total_size (bytes)");
  if (n["max_downloads"]) d.max_downloads = number(n["max_downloads"], "max_downloads (0: no limit)");
  if (const auto& r = n["downloads_per_minute"]) {
    d.downloads_per_minute = number(r, "downloads_per_minute");
    if (d.downloads_per_minute <= 0) error(r, "downloads_per_minute must be at least 1");
  }
  if (const auto& x = n["except_domains"])
    for (const auto& dom : strings(x, "recipient domains"))
      if (std::string norm = detect::normalise_domain(dom); !norm.empty()) d.except_domains.push_back(norm);
}

std::optional<Condition> Compiler::condition(const YAML::Node& n) {
  if (n.IsScalar()) {
    LeafResult leaf = parse_leaf(n.Scalar());
    bool quoted = n.Tag() == "!";  // yaml-cpp tags quoted scalars "!"
    if (!leaf.error.empty()) {
      error(n, leaf.error, leaf.error_offset + (quoted ? 1 : 0));
      return std::nullopt;
    }
    return leaf.condition;
  }
  Condition c;
  YAML::Node items = n;
  if (n.IsMap()) {
    if (n.size() != 1) {
      error(n, "a condition map has exactly one key: all, any or not");
      return std::nullopt;
    }
    std::string k = n.begin()->first.Scalar();
    items = n.begin()->second;
    if (k == "all") c.kind = Condition::Kind::All;
    else if (k == "any") c.kind = Condition::Kind::Any;
    else if (k == "not") c.kind = Condition::Kind::Not;
    else {
      error(n.begin()->first, "unknown condition '" + k + "' (use all, any or not)");
      return std::nullopt;
    }
  } else if (n.IsSequence()) {
    c.kind = Condition::Kind::All;
  } else {
    error(n, "expected a condition: text such as 'recipients.external >= 10', or all:/any:/not:");
    return std::nullopt;
  }
  if (c.kind == Condition::Kind::Not) {
    auto inner = condition(items);
    if (!inner) return std::nullopt;
    c.children.push_back(std::move(*inner));
    return c;
  }
  if (!expect(items, YAML::NodeType::Sequence, "a list of conditions")) return std::nullopt;
  bool ok = true;
  for (const auto& item : items) {
    auto child = condition(item);
    ok = ok && child.has_value();
    if (child) c.children.push_back(std::move(*child));
  }
  return ok ? std::optional<Condition>(std::move(c)) : std::nullopt;
}

SenderScope Compiler::scope(const YAML::Node& map) {
  SenderScope s;
  if (map["senders"]) s.senders = strings(map["senders"], "sender patterns");
  auto add_group = [&](const YAML::Node& g) {
    std::string name = util::to_lower(scalar(g, "a group name"));
    if (!policy_.organisation.groups.count(name))
      error(g, "unknown group '" + name + "' (define it in organisation.groups)");
    s.groups.push_back(name);
  };
  if (const auto& g = map["groups"]) {
    if (g.IsSequence())
      for (const auto& item : g) add_group(item);
    else
      add_group(g);
  }
  return s;
}

ActionSpec Compiler::action(const YAML::Node& n) {
  ActionSpec a;
  YAML::Node type_node = n.IsMap() ? n["type"] : n;
  if (n.IsMap())
    keys(n, {"type", "scope", "tag", "subject_prefix", "message", "delay", "approvers", "expire", "on_expiry",
             "escalate", "bcc", "allow_bcc", "waivable", "detach"}, "action");
  if (!type_node) {
    error(n, "action needs a type: accept, tag, bcc, detach, hold, approve or reject");
    return a;
  }
  std::string t = scalar(type_node, "an action");
  if (t == "accept") a.type = Action::Accept;
  else if (t == "tag") a.type = Action::Tag;
  else if (t == "bcc") a.type = Action::Bcc;
  else if (t == "detach") a.type = Action::Detach;
  else if (t == "hold") a.type = Action::Hold;
  else if (t == "approve") a.type = Action::Approve;
  else if (t == "reject") a.type = Action::Reject;
  else error(type_node, "unknown action '" + t + "' (accept, tag, bcc, detach, hold, approve, reject)");
  if (a.type == Action::Hold || a.type == Action::Approve) hold_spec(n, a);
  if (!n.IsMap()) return a;
  if (const auto& s = n["scope"]) {
    std::string v = scalar(s, "external or all");
    if (v == "all") a.scope = BccScope::All;
    else if (v != "external") error(s, "bcc scope is 'external' or 'all'");
  }
  if (n["tag"]) a.tag = scalar(n["tag"], "a tag text");
  if (n["subject_prefix"]) a.subject_prefix = scalar(n["subject_prefix"], "a subject prefix");
  if (n["message"]) a.reject_text = util::printable(scalar(n["message"], "a reject message"));
  return a;
}

void Compiler::approvers(const YAML::Node& n, std::vector<std::string>& out) {
  std::vector<YAML::Node> items;
  if (n.IsScalar()) items.push_back(n);
  else if (expect(n, YAML::NodeType::Sequence, "a list of approvers"))
    for (const auto& item : n) items.push_back(item);
  for (const auto& item : items) {
    std::string a = util::to_lower(scalar(item, "an approver"));
    bool role = util::istarts_with(a, "role:");
    if (role && !policy_.organisation.roles.count(a.substr(5)))
      error(item, "unknown role '" + a.substr(5) + "' (define it in organisation.roles)");
    else if (!role && a != "supervisor" && a != "self" && a.find('@') == std::string::npos)
      error(item, "an approver is an address, role:NAME, supervisor or self");
    out.push_back(a);
  }
}

void Compiler::hold_spec(const YAML::Node& n, ActionSpec& a) {
  HoldSpec& h = a.hold;
  bool approve = a.type == Action::Approve;
  if (!n.IsMap()) {
    if (!approve) error(n, "hold needs a delay, e.g. {type: hold, delay: 10m}");
    else error(n, "approve needs approvers, e.g. {type: approve, approvers: [supervisor]}");
    return;
  }
  if (!approve) {
    if (!n["delay"]) error(n, "hold needs a delay, e.g. delay: 10m");
    else h.delay_seconds = duration(n["delay"]);
    for (const char* k : {"approvers", "expire", "on_expiry", "escalate", "allow_bcc", "waivable"})
      if (n[k]) error(n[k], std::string("'") + k + "' belongs to approve, not hold");
  } else {
    if (!n["approvers"]) error(n, "approve needs approvers: addresses, role:NAME, supervisor or self");
    else approvers(n["approvers"], h.approvers);
    if (n["delay"]) error(n["delay"], "'delay' belongs to hold, not approve");
    if (const auto& e = n["expire"]) {
      std::size_t before = errors_.size();
      h.expire_seconds = duration(e);
      if (errors_.size() == before && h.expire_seconds == 0)
        error(e, "expire must be longer than 0: the approval would expire at once");
    }
    if (const auto& e = n["escalate"]) {
      h.escalate_seconds = duration(e);
      if (h.escalate_seconds > 0 && h.expire_seconds > 0 && h.escalate_seconds >= h.expire_seconds)
        error(e, "escalate (" + std::to_string(h.escalate_seconds) + "s) must be shorter than expire (" +
                     std::to_string(h.expire_seconds) + "s, 24h when not given): it would never happen");
    }
    if (const auto& e = n["on_expiry"]) {
      std::string v = scalar(e, "return or release");
      if (v != "return" && v != "release") error(e, "on_expiry is 'return' (to the sender) or 'release'");
      h.release_on_expiry = v == "release";
    }
    if (const auto& b = n["allow_bcc"]) {
      std::string v = scalar(b, "external or all");
      if (v != "external" && v != "all") error(b, "allow_bcc is 'external' or 'all'");
      h.allow_bcc = true;
      if (v == "all") h.allow_bcc_scope = BccScope::All;
    }
    if (const auto& w = n["waivable"]) {
      std::string v = scalar(w, "true or false");
      if (v != "true" && v != "false") error(w, "waivable is true (approval fatigue may waive it) or false");
      h.waivable = v != "false";
    }
  }
  if (const auto& d = n["detach"]) {
    std::string v = scalar(d, "true or false");
    if (v != "true" && v != "false") error(d, "detach is true (attachments leave as download links) or false");
    h.detach = v == "true";
  }
  if (const auto& b = n["bcc"]) {
    std::string v = scalar(b, "external or all");
    if (v != "external" && v != "all") error(b, "bcc is 'external' or 'all'");
    h.bcc = true;
    if (v == "all") a.scope = BccScope::All;
  }
}

Mode Compiler::mode(const YAML::Node& n) {
  std::string m = scalar(n, "enforce or monitor");
  if (m == "monitor") return Mode::Monitor;
  if (m != "enforce") error(n, "mode is 'enforce' or 'monitor'");
  return Mode::Enforce;
}

void Compiler::rule(const YAML::Node& n) {
  if (!expect(n, YAML::NodeType::Map, "a rule (a map with id, when, action ...)")) return;
  keys(n, {"id", "description", "when", "senders", "groups", "except", "mode", "action"}, "rule");
  Rule r;
  r.where = at(n);
  if (!n["id"]) {
    error(n, "rule has no id");
  } else {
    r.id = scalar(n["id"], "a rule id");
    if (n["id"].IsScalar() && !valid_rule_id(r.id))
      error(n["id"], "rule id '" + util::printable(r.id) +
                         "' may contain only letters A-Z a-z, digits, '.', '_' and '-' (it goes into the "
                         "X-Preflight-Verdict header)");
  }
  for (const auto& other : policy_.rules)
    if (!r.id.empty() && other.id == r.id) error(n["id"], "duplicate rule id '" + r.id + "' (first at " + other.where.str() + ")");
  if (n["description"]) r.description = scalar(n["description"], "a description");
  if (n["when"]) r.when = condition(n["when"]);
  r.applies_to = scope(n);
  if (const auto& e = n["except"]; e && expect(e, YAML::NodeType::Map, "a map with senders, groups, when")) {
    keys(e, {"senders", "groups", "when"}, "except");
    r.except_senders = scope(e);
    if (e["when"]) r.except_when = condition(e["when"]);
  }
  if (n["mode"]) r.mode = mode(n["mode"]);
  if (!n["action"]) error(n, "rule '" + r.id + "' has no action");
  else r.action = action(n["action"]);
  if (r.action.type == Action::Tag && r.action.tag.empty()) r.action.tag = r.id;
  if (r.action.type == Action::Reject && r.action.reject_text.empty())
    r.action.reject_text = "Message refused by the outgoing mail policy (" + r.id + ")";
  policy_.rules.push_back(std::move(r));
}

void Compiler::document(const YAML::Node& root, bool& saw_organisation) {
  if (root.IsNull()) return;
  if (!expect(root, YAML::NodeType::Map, "a map with organisation and rules")) return;
  keys(root, {"organisation", "rules"}, "the policy file");
  if (const auto& o = root["organisation"]) {
    if (saw_organisation) error(o, "organisation is defined twice (only one file may define it)");
    saw_organisation = true;
    organisation(o);
  }
  if (const auto& rules = root["rules"]; rules && expect(rules, YAML::NodeType::Sequence, "a list of rules"))
    for (const auto& r : rules) rule(r);
}

void compile_one(std::string_view yaml, const std::string& name, Policy& p, std::vector<PolicyError>& errors,
                 bool& saw_organisation, std::vector<detect::KeywordSet>& keywords) {
  try {
    YAML::Node root = YAML::Load(std::string(yaml));
    Compiler c(name, p, errors);
    c.document(root, saw_organisation);
    for (auto& k : c.keyword_sets_) keywords.push_back(std::move(k));
  } catch (const YAML::ParserException& e) {
    errors.push_back({{name, e.mark.line + 1, e.mark.column + 1}, "YAML syntax: " + e.msg});
  } catch (const YAML::Exception& e) {
    errors.push_back({{name, e.mark.line + 1, e.mark.column + 1}, e.msg});
  }
}

bool role_has_someone(const detect::Organisation& org, const std::string& name) {
  auto it = org.roles.find(name);
  return it != org.roles.end() && !it->second.empty();
}

// An approve rule whose approvers are only "supervisor" and empty roles finds nobody for a sender the
// directory lacks; without a fallback role such mail is tempfailed (queue::resolve_approvers).
std::vector<PolicyError> approver_warnings(const Policy& p) {
  std::vector<PolicyError> out;
  const auto& org = p.organisation;
  if (role_has_someone(org, org.approver_fallback)) return out;
  for (const auto& r : p.rules) {
    if (r.action.type != Action::Approve) continue;
    bool always = std::any_of(r.action.hold.approvers.begin(), r.action.hold.approvers.end(), [&](const auto& a) {
      return a == "self" || a.find('@') != std::string::npos ||
             (util::istarts_with(a, "role:") && role_has_someone(org, a.substr(5)));
    });
    if (!always)
      out.push_back({r.where, "rule '" + r.id + "' may find no approver (a sender without a supervisor in the "
                              "directory, or an empty role) and then tempfails the mail: define the role '" +
                              (org.approver_fallback.empty() ? std::string("security") : org.approver_fallback) +
                              "' and set organisation.approver_fallback to it, or name an address"});
  }
  return out;
}

// The content scanner and the index of the organisation's own domains are built once here, and shared by
// every message.
CompileResult finish(std::shared_ptr<Policy> p, std::vector<PolicyError> errors,
                     std::vector<detect::KeywordSet> keywords) {
  if (!errors.empty()) return {nullptr, std::move(errors), {}};
  p->organisation.scanner = std::make_shared<detect::ContentScanner>(std::move(keywords));
  p->organisation.domain_index = std::make_shared<detect::DomainIndex>(p->organisation.own_domains());
  auto warnings = approver_warnings(*p);
  return {std::move(p), {}, std::move(warnings)};
}

}  // namespace

CompileResult compile_text(std::string_view yaml, const std::string& name) {
  auto p = std::make_shared<Policy>();
  std::vector<PolicyError> errors;
  bool saw_organisation = false;
  std::vector<detect::KeywordSet> keywords;
  compile_one(yaml, name, *p, errors, saw_organisation, keywords);
  p->files.push_back(name);
  return finish(std::move(p), std::move(errors), std::move(keywords));
}

CompileResult compile_files(const std::vector<std::string>& paths) {
  auto p = std::make_shared<Policy>();
  std::vector<PolicyError> errors;
  bool saw_organisation = false;
  std::vector<detect::KeywordSet> keywords;
  for (const auto& path : paths) {
    auto text = util::read_file(path);
    if (!text) {
      errors.push_back({{path, 0, 0}, text.error() == "cannot read" ? "cannot read policy file"
                                                                    : "cannot read policy file: " + text.error()});
      continue;
    }
    compile_one(*text, path, *p, errors, saw_organisation, keywords);
    p->files.push_back(path);
  }
  if (paths.empty()) errors.push_back({{"(config)", 0, 0}, "no policy file given"});
  return finish(std::move(p), std::move(errors), std::move(keywords));
}

}  // namespace preflight::policy
