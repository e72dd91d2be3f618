// Which mails a replay reads, in which order; see replay.hpp.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "preflight/mail/date.hpp"
#include "preflight/util/read_file.hpp"
#include "preflight/util/strings.hpp"
#include "replay.hpp"

namespace preflight::cli::replay {

namespace fs = std::filesystem;

namespace {

// Follows a header block line by line and keeps the (unfolded) value of its first Date header.
class DateFinder {
 public:
  // False once the header block has ended.
  bool feed(std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) return false;
    if (line[0] == ' ' || line[0] == '\t') {
      if (in_date_) value_ += std::string(" ") + std::string(line);
      return true;
    }
    in_date_ = false;
    if (!found_ && util::istarts_with(line, "date:")) {
      found_ = in_date_ = true;
      value_ = line.substr(5);
    }
    return true;
  }
  std::optional<std::int64_t> time() const { return found_ ? mail::parse_date(value_) : std::nullopt; }

 private:
  std::string value_;
  bool found_ = false, in_date_ = false;
};

bool starts_mbox(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char head[5] = {};
  return in.read(head, 5) && std::string_view(head, 5) == "From ";
}

// The Date header of a single-message file, read up to the end of its header block.
std::optional<std::int64_t> header_date(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  DateFinder finder;
  std::size_t read = 0;
  for (std::string line; read < (1u << 20) && std::getline(in, line); read += line.size() + 1)
    if (!finder.feed(line)) break;
  return finder.time();
}

// Each message of an mbox: a "From " line at the start or after an empty line begins one.
void scan_mbox(const std::string& path, Scan& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return out.problems.push_back({path, "cannot read"});
  std::uint64_t pos = 0;
  bool after_blank = true, in_headers = false;
  std::optional<Item> cur;
  DateFinder finder;
  auto finish = [&](std::uint64_t end) {
    if (!cur) return;
    cur->length = end - cur->offset;
    cur->time = finder.time();
    out.items.push_back(std::move(*cur));
  };
  std::size_t n = 0;
  for (std::string line; std::getline(in, line);) {
    std::uint64_t start = pos;
    pos += line.size() + (in.eof() ? 0 : 1);
    if (after_blank && line.rfind("From ", 0) == 0) {
      finish(start);
      cur = Item{path + "#" + std::to_string(++n), path, true, pos, 0, std::nullopt, std::nullopt};
      finder = DateFinder();
      in_headers = true;
    } else if (in_headers) {
      in_headers = finder.feed(line);
    }
    after_blank = line.empty() || line == "\r";
  }
  finish(pos);
}

void add_file(const std::string& path, Scan& out) {
  Item it;
  it.name = it.path = path;
  it.time = header_date(path);
  out.items.push_back(std::move(it));
}

std::vector<fs::path> sorted_entries(const fs::path& dir, Scan& out) {
  std::vector<fs::path> entries;
  std::error_code ec;
  for (fs::directory_iterator i(dir, ec), end; !ec && i != end; i.increment(ec)) entries.push_back(i->path());
  if (ec) out.problems.push_back({dir.string(), ec.message()});
  std::sort(entries.begin(), entries.end());
  return entries;
}

bool is_maildir(const fs::path& dir) { return fs::is_directory(dir / "cur") && fs::is_directory(dir / "new"); }

bool is_eml(const fs::path& p) { return util::to_lower(p.extension().string()) == ".eml"; }

// Directories recursively: *.eml files, and every file of the cur/ and new/ folders of a Maildir.
void walk(const fs::path& dir, Scan& out) {
  bool maildir = is_maildir(dir);
  for (const auto& e : sorted_entries(dir, out)) {
    std::string name = e.filename().string();
    if (fs::is_directory(e)) {
      if (maildir && (name == "cur" || name == "new")) {
        for (const auto& f : sorted_entries(e, out))
          if (fs::is_regular_file(f) && f.filename().string()[0] != '.') add_file(f.string(), out);
      } else if (!(maildir && name == "tmp")) {
        walk(e, out);
      }
    } else if (fs::is_regular_file(e) && is_eml(e)) {
      add_file(e.string(), out);
    }
  }
}

std::optional<std::int64_t> json_time(const nlohmann::json& t) {
  if (t.is_number_integer()) return t.get<std::int64_t>();
  if (t.is_string()) return mail::parse_iso8601(t.get<std::string>());
  return std::nullopt;
}

// The envelope file's "file": a path relative to its directory, or "MBOX#N" for an mbox's Nth message.
std::optional<Item> locate(const fs::path& base, const std::string& file, std::map<std::string, Scan>& mboxes) {
  fs::path p = base / file;
  if (fs::is_regular_file(p) || file.find('#') == std::string::npos) {
    Item it;
    it.name = file;
    it.path = p.string();
    return it;
  }
  std::string box = (base / file.substr(0, file.rfind('#'))).string();
  if (!mboxes.count(box)) scan_mbox(box, mboxes[box]);
  std::string wanted = box + file.substr(file.rfind('#'));
  for (const auto& it : mboxes[box].items)
    if (it.name == wanted) return it;
  return std::nullopt;
}

// One line of the envelope file: {"file", "from", "rcpts", "time"?}; other keys are ignored.
std::optional<Item> envelope_line(const nlohmann::json& j, const fs::path& base, std::map<std::string, Scan>& mboxes,
                                  std::string& error) {
  if (!j.is_object() || !j.contains("file") || !j["file"].is_string()) return error = "no \"file\"", std::nullopt;
  auto rcpts = j.value("rcpts", nlohmann::json::array());
  if (!rcpts.is_array() || rcpts.empty()) return error = "no \"rcpts\"", std::nullopt;
  if (j.contains("from") && !j["from"].is_string()) return error = "\"from\" is not a string", std::nullopt;
  auto it = locate(base, j["file"].get<std::string>(), mboxes);
  if (!it) return error = "no such message", std::nullopt;
  mail::Envelope env;
  env.sender = mail::parse_addr_spec(j.value("from", ""));
  for (const auto& r : rcpts) {
    if (!r.is_string()) return error = "a recipient is not a string", std::nullopt;
    env.recipients.push_back(mail::parse_addr_spec(r.get<std::string>()));
  }
  it->envelope = std::move(env);
  std::string direction = j.contains("direction") && j["direction"].is_string() ? j["direction"].get<std::string>()
                                                                               : j.contains("direction") ? "?" : "out";
  if (direction != "in" && direction != "out") return error = "\"direction\" is \"in\" or \"out\"", std::nullopt;
  it->inbound = direction == "in";
  if (j.contains("time")) {
    if (!(it->time = json_time(j["time"]))) return error = "unreadable \"time\"", std::nullopt;
  } else if (!it->in_mbox) {
    it->time = header_date(it->path);
  }
  return it;
}

}  // namespace

Scan scan_sources(const std::vector<std::string>& sources) {
  Scan out;
  for (const auto& s : sources) {
    std::error_code ec;
    auto status = fs::status(s, ec);
    if (fs::is_directory(status)) walk(s, out);
    else if (!fs::is_regular_file(status)) out.problems.push_back({s, "no such file or directory"});
    else if (starts_mbox(s)) scan_mbox(s, out);
    else add_file(s, out);
  }
  return out;
}

Scan scan_envelopes(const std::string& envelope_file) {
  Scan out;
  std::ifstream in(envelope_file, std::ios::binary);
  if (!in) return out.problems.push_back({envelope_file, "cannot read"}), out;
  fs::path base = fs::path(envelope_file).parent_path();
  std::map<std::string, Scan> mboxes;
  std::size_t n = 0;
  for (std::string line; std::getline(in, line);) {
    ++n;
    if (util::trim(line).empty()) continue;
    auto j = nlohmann::json::parse(line, nullptr, false);
    std::string error = "not JSON";
    auto it = j.is_discarded() ? std::nullopt : envelope_line(j, base, mboxes, error);
    if (it) out.items.push_back(std::move(*it));
    else out.problems.push_back({envelope_file + ":" + std::to_string(n), error});
  }
  return out;
}

Scan scan_envelopes(const std::vector<std::string>& envelope_files) {
  Scan out;
  for (const auto& f : envelope_files) {
    Scan one = scan_envelopes(f);
    for (auto& it : one.items) out.items.push_back(std::move(it));
    for (auto& p : one.problems) out.problems.push_back(std::move(p));
  }
  return out;
}

void order_by_time(std::vector<Item>& items) {
  std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    if (a.time.has_value() != b.time.has_value()) return a.time.has_value();
    return a.time.has_value() && *a.time < *b.time;
  });
}

util::Result<std::string> load(const Item& item) {
  if (!item.in_mbox) return util::read_file(item.path);
  std::ifstream in(item.path, std::ios::binary);
  if (!in) return util::Error{"cannot read"};
  std::string raw(item.length, '\0');
  in.seekg(static_cast<std::streamoff>(item.offset));
  if (!in.read(raw.data(), static_cast<std::streamsize>(raw.size()))) return util::Error{"read error"};
  // mboxrd quoting: ">From ", ">>From " ... at a line start lose one '>'.
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size();) {
    std::size_t end = raw.find('\n', i);
    end = end == std::string::npos ? raw.size() : end + 1;
    std::string_view line(raw.data() + i, end - i);
    std::size_t q = line.find_first_not_of('>');
    bool quoted = q != 0 && q != std::string_view::npos && line.substr(q).rfind("From ", 0) == 0;
    out.append(quoted ? line.substr(1) : line);
    i = end;
  }
  return out;
}

mail::Envelope envelope_from_headers(const mail::Message& msg) {
  mail::Envelope env;
  auto from = msg.addresses("From");
  if (!from.empty()) env.sender = {from.front().local, from.front().domain, ""};
  std::set<std::string> seen;
  for (const char* h : {"To", "Cc", "Bcc"})
    for (const auto& a : msg.addresses(h))
      if (!a.domain.empty() && seen.insert(util::to_lower(a.addr())).second)
        env.recipients.push_back({a.local, a.domain, ""});  // RCPT TO carries no display name
  return env;
}

}  // namespace preflight::cli::replay
