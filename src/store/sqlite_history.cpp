// SQLite store: delivery history and the notice outbox; see store.hpp.
#include "sqlite_store.hpp"

#include "preflight/util/strings.hpp"

namespace preflight::store {

namespace {
std::string domain_of(const std::string& address) {
  auto at = address.rfind('@');
  return at == std::string::npos ? std::string() : util::to_lower(address.substr(at + 1));
}

Notice read_notice(const Stmt& s) {
  Notice n;
  n.id = s.integer(0);
  n.held_id = s.text(1);
  n.rcpt = s.text(2);
  n.raw = s.text(3);
  n.created_at = s.integer(4);
  n.attempts = static_cast<int>(s.integer(5));
  return n;
}
}  // namespace

util::Result<bool> SqliteStore::record_delivery(const std::string& sender, const std::vector<std::string>& recipients,
                                                std::int64_t at) {
  return guarded<bool>([&] {
    Transaction tx(db_);
    Stmt s(db_, "INSERT INTO history(sender, address, domain, first_seen, last_seen, count) VALUES (?,?,?,?,?,1) "
                "ON CONFLICT(sender, address) DO UPDATE SET last_seen = excluded.last_seen, count = count + 1");
    std::string from = util::to_lower(sender);
    for (const auto& r : recipients) {
      std::string addr = util::to_lower(r);
      s.bind(1, from).bind(2, addr).bind(3, domain_of(addr)).bind(4, at).bind(5, at).run();
      s.reset();
    }
    tx.commit();
    return true;
  });
}

util::Result<std::optional<HistoryEntry>> SqliteStore::history(const std::string& sender, const std::string& address) {
  return guarded<std::optional<HistoryEntry>>([&]() -> std::optional<HistoryEntry> {
    Stmt s(db_, "SELECT sender, address, domain, first_seen, last_seen, count FROM history "
                "WHERE sender = ? AND address = ?");
    s.bind(1, util::to_lower(sender)).bind(2, util::to_lower(address));
    if (!s.step()) return std::nullopt;
    return HistoryEntry{s.text(0), s.text(1), s.text(2), s.integer(3), s.integer(4), s.integer(5)};
  });
}

util::Result<std::int64_t> SqliteStore::domain_count(const std::string& domain) {
  return guarded<std::int64_t>([&] {
    Stmt s(db_, "SELECT coalesce(sum(count), 0) FROM history WHERE domain = ?");
    s.bind(1, util::to_lower(domain));
    s.step();
    return s.integer(0);
  });
}

util::Result<bool> SqliteStore::enqueue_notice(const Notice& n) {
  return guarded<bool>([&] {
    Stmt s(db_, "INSERT INTO notices(held_id, rcpt, raw, created_at) VALUES (?,?,?,?)");
    s.bind(1, n.held_id).bind(2, n.rcpt).bind_blob(3, n.raw).bind(4, n.created_at).run();
    return true;
  });
}

util::Result<std::vector<Notice>> SqliteStore::pending_notices(int limit) {
  return guarded<std::vector<Notice>>([&] {
    Stmt s(db_, "SELECT id, held_id, rcpt, raw, created_at, attempts FROM notices WHERE sent_at = 0 "
                "AND attempts < 100 ORDER BY id LIMIT ?");
    s.bind(1, std::int64_t{limit});
    std::vector<Notice> out;
    while (s.step()) out.push_back(read_notice(s));
    return out;
  });
}

util::Result<bool> SqliteStore::notice_sent(std::int64_t id, std::int64_t at) {
  return guarded<bool>([&] {
    Stmt s(db_, "UPDATE notices SET sent_at = ?, attempts = attempts + 1 WHERE id = ?");
    s.bind(1, at).bind(2, id).run();
    return db_.changes() == 1;
  });
}

util::Result<bool> SqliteStore::notice_failed(std::int64_t id, const std::string& error) {
  return guarded<bool>([&] {
    Stmt s(db_, "UPDATE notices SET attempts = attempts + 1, last_error = ? WHERE id = ?");
    s.bind(1, error).bind(2, id).run();
    return db_.changes() == 1;
  });
}

util::Result<std::vector<Notice>> SqliteStore::notices_for(const std::string& held_id) {
  return guarded<std::vector<Notice>>([&] {
    Stmt s(db_, "SELECT id, held_id, rcpt, raw, created_at, attempts FROM notices WHERE held_id = ? ORDER BY id");
    s.bind(1, held_id);
    std::vector<Notice> out;
    while (s.step()) out.push_back(read_notice(s));
    return out;
  });
}

}  // namespace preflight::store
