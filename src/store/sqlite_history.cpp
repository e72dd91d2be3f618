// SQLite store: delivery history and the notice outbox; see store.hpp.
#include "sqlite_store.hpp"

#include <nlohmann/json.hpp>

#include "preflight/util/charset.hpp"
#include "preflight/util/strings.hpp"

namespace preflight::store {

std::string domain_of(const std::string& address) {
  auto at = address.rfind('@');
  return at == std::string::npos ? std::string() : util::to_lower(address.substr(at + 1));
}

std::string name_key(const std::string& name) { return util::to_lower(util::nfkc(std::string(util::trim(name)))); }

namespace {
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

namespace {

// Deliveries per organisational domain (the sum of history's `count` over its rows), kept by triggers on
// history (insert, upsert, delete), so that domain_count reads one row whatever the history's size, and every writer of the file
// (an older version too, once the triggers exist) keeps it exact. A row whose org_domain changes moves
// its count.
const char* kTotalsSchema = R"SQL(
CREATE TABLE domain_totals (org_domain TEXT PRIMARY KEY, count INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO domain_totals(org_domain, count) SELECT org_domain, sum(count) FROM history GROUP BY org_domain;
CREATE TRIGGER history_totals_insert AFTER INSERT ON history BEGIN
  INSERT INTO domain_totals(org_domain, count) VALUES (new.org_domain, new.count)
    ON CONFLICT(org_domain) DO UPDATE SET count = count + excluded.count;
END;
CREATE TRIGGER history_totals_update AFTER UPDATE OF count, org_domain ON history BEGIN
  UPDATE domain_totals SET count = count - old.count WHERE org_domain = old.org_domain;
  INSERT INTO domain_totals(org_domain, count) VALUES (new.org_domain, new.count)
    ON CONFLICT(org_domain) DO UPDATE SET count = count + excluded.count;
END;
CREATE TRIGGER history_totals_delete AFTER DELETE ON history BEGIN
  UPDATE domain_totals SET count = count - old.count WHERE org_domain = old.org_domain;
END;
)SQL";

}  // namespace

// domain_totals, filled from history and its triggers, once, in one transaction (as held_rules).
void SqliteStore::create_totals_schema() {
  auto exists = [&] {
    return Stmt(db_, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'domain_totals'").step();
  };
  if (exists()) return;
  Transaction tx(db_);
  if (!exists()) db_.exec(kTotalsSchema);
  tx.commit();
}

void SqliteStore::write_delivery(const std::string& sender, const std::vector<DeliveredTo>& recipients,
                                 std::int64_t at) {
  Stmt s(db_, "INSERT INTO history(sender, address, domain, org_domain, first_seen, last_seen, count) "
              "VALUES (?,?,?,?,?,?,1) ON CONFLICT(sender, address) DO UPDATE SET last_seen = excluded.last_seen, "
              "count = count + 1, org_domain = excluded.org_domain");
  Stmt n(db_, "INSERT INTO names(address, name, name_key) VALUES (?,?,?) ON CONFLICT(address) DO UPDATE SET "
              "name = excluded.name, name_key = excluded.name_key WHERE name IS NOT excluded.name");
  std::string from = util::to_lower(sender);
  for (const auto& r : recipients) {
    std::string addr = util::to_lower(r.address);
    s.bind(1, from).bind(2, addr).bind(3, domain_of(addr)).bind(4, util::to_lower(r.org_domain)).bind(5, at);
    s.bind(6, at).run();
    s.reset();
    if (r.display_name.empty()) continue;
    n.bind(1, addr).bind(2, r.display_name).bind(3, name_key(r.display_name)).run();
    n.reset();
  }
}

void SqliteStore::write_thread(const ThreadRow& t) {
  Stmt s(db_, "INSERT OR REPLACE INTO threads(message_id, sender, visible, recipients, at) VALUES (?,?,?,?,?)");
  s.bind(1, t.message_id).bind(2, util::to_lower(t.from)).bind(3, nlohmann::json(t.visible).dump());
  s.bind(4, nlohmann::json(t.recipients).dump()).bind(5, t.at).run();
}

void SqliteStore::write_exposure(const std::string& sender, std::int64_t count, std::int64_t at) {
  Stmt s(db_, "INSERT INTO exposures(sender, at, count) VALUES (?,?,?)");
  s.bind(1, util::to_lower(sender)).bind(2, at).bind(3, count).run();
}

util::Result<bool> SqliteStore::record_delivery(const std::string& sender, const std::vector<DeliveredTo>& recipients,
                                                std::int64_t at) {
  return guarded<bool>([&] {
    Transaction tx(db_);
    write_delivery(sender, recipients, at);
    tx.commit();
    return true;
  });
}

util::Result<bool> SqliteStore::record_sent(const std::vector<SentMail>& mails) {
  return guarded<bool>([&] {
    Transaction tx(db_);
    for (const auto& m : mails) {
      write_delivery(m.sender, m.to, m.at);
      if (m.thread) write_thread(*m.thread);
      if (m.exposed > 0) write_exposure(m.sender, m.exposed, m.at);
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

util::Result<bool> SqliteStore::address_known(const std::string& address) {
  return guarded<bool>([&] {
    Stmt s(db_, "SELECT 1 FROM history WHERE address = ? LIMIT 1");  // index history_address
    s.bind(1, util::to_lower(address));
    return s.step();
  });
}

util::Result<std::int64_t> SqliteStore::domain_count(const std::string& org_domain) {
  return guarded<std::int64_t>([&] {
    Stmt s(db_, "SELECT coalesce(sum(count), 0) FROM domain_totals WHERE org_domain = ?");
    s.bind(1, util::to_lower(org_domain));
    s.step();
    return s.integer(0);
  });
}

util::Result<std::vector<std::string>> SqliteStore::known_org_domains(int limit) {
  return guarded<std::vector<std::string>>([&] {
    Stmt s(db_, "SELECT org_domain FROM domain_totals WHERE org_domain != '' AND count > 0 "
                "ORDER BY count DESC LIMIT ?");
    s.bind(1, std::int64_t{limit});
    std::vector<std::string> out;
    while (s.step()) out.push_back(s.text(0));
    return out;
  });
}

util::Result<std::int64_t> SqliteStore::history_mark() {
  return guarded<std::int64_t>([&] {
    Stmt s(db_, "SELECT coalesce(max(rowid), 0) FROM history");
    s.step();
    return s.integer(0);
  });
}

util::Result<std::vector<std::string>> SqliteStore::domains_since(std::int64_t mark) {
  return guarded<std::vector<std::string>>([&] {
    // NOT INDEXED: read the new rows by rowid, not the whole history through the org_domain index
    Stmt s(db_, "SELECT DISTINCT org_domain, domain FROM history NOT INDEXED WHERE rowid > ? AND org_domain != ''");
    s.bind(1, mark);
    std::vector<std::string> out;
    while (s.step()) {
      out.push_back(s.text(0));
      if (s.text(1) != s.text(0)) out.push_back(s.text(1));
    }
    return out;
  });
}

util::Result<std::vector<HistoryAddress>> SqliteStore::addresses_since(std::int64_t mark) {
  return guarded<std::vector<HistoryAddress>>([&] {
    Stmt s(db_, "SELECT rowid, address, domain FROM history WHERE rowid > ? ORDER BY rowid");
    s.bind(1, mark);
    std::vector<HistoryAddress> out;
    while (s.step()) out.push_back({s.integer(0), s.text(1), s.text(2)});
    return out;
  });
}

util::Result<std::vector<std::string>> SqliteStore::known_subdomains(int limit) {
  return guarded<std::vector<std::string>>([&] {
    Stmt s(db_, "SELECT domain FROM history WHERE org_domain != '' AND domain != org_domain GROUP BY domain "
                "ORDER BY sum(count) DESC LIMIT ?");
    s.bind(1, std::int64_t{limit});
    std::vector<std::string> out;
    while (s.step()) out.push_back(s.text(0));
    return out;
  });
}

util::Result<std::vector<std::pair<std::string, std::string>>> SqliteStore::addresses_at(const std::string& domain,
                                                                                        int limit) {
  return guarded<std::vector<std::pair<std::string, std::string>>>([&] {
    Stmt s(db_, "SELECT DISTINCT h.address, coalesce(n.name, '') FROM history h LEFT JOIN names n "
                "ON n.address = h.address WHERE h.domain = ? LIMIT ?");
    s.bind(1, util::to_lower(domain)).bind(2, std::int64_t{limit});
    std::vector<std::pair<std::string, std::string>> out;
    while (s.step()) out.emplace_back(s.text(0), s.text(1));
    return out;
  });
}

util::Result<std::vector<std::pair<std::string, std::string>>> SqliteStore::addresses_named(const std::string& name,
                                                                                           int limit) {
  return guarded<std::vector<std::pair<std::string, std::string>>>([&] {
    Stmt s(db_, "SELECT address, name FROM names WHERE name_key = ? LIMIT ?");
    s.bind(1, name_key(name)).bind(2, std::int64_t{limit});
    std::vector<std::pair<std::string, std::string>> out;
    while (s.step()) out.emplace_back(s.text(0), s.text(1));
    return out;
  });
}

util::Result<bool> SqliteStore::record_thread(const ThreadRow& t) {
  return guarded<bool>([&] {
    write_thread(t);
    return true;
  });
}

util::Result<std::vector<ThreadRow>> SqliteStore::threads(const std::vector<std::string>& message_ids) {
  return guarded<std::vector<ThreadRow>>([&] {
    std::vector<ThreadRow> out;
    Stmt s(db_, "SELECT message_id, sender, visible, recipients, at FROM threads WHERE message_id = ?");
    for (const auto& id : message_ids) {
      s.bind(1, id);
      while (s.step()) {
        auto visible = nlohmann::json::parse(s.text(2), nullptr, false);
        auto rcpts = nlohmann::json::parse(s.text(3), nullptr, false);
        out.push_back({s.text(0), s.text(1),
                       visible.is_array() ? visible.get<std::vector<std::string>>() : std::vector<std::string>{},
                       rcpts.is_array() ? rcpts.get<std::vector<std::string>>() : std::vector<std::string>{},
                       s.integer(4)});
      }
      s.reset();
    }
    return out;
  });
}

util::Result<bool> SqliteStore::record_exposure(const std::string& sender, std::int64_t count, std::int64_t at) {
  return guarded<bool>([&] {
    write_exposure(sender, count, at);
    return true;
  });
}

util::Result<std::int64_t> SqliteStore::exposed_since(const std::string& sender, std::int64_t since) {
  return guarded<std::int64_t>([&] {
    Stmt s(db_, "SELECT coalesce(sum(count), 0) FROM exposures WHERE sender = ? AND at >= ?");
    s.bind(1, util::to_lower(sender)).bind(2, since);
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

util::Result<std::vector<Notice>> SqliteStore::pending_notices(int limit, std::int64_t created_after) {
  return guarded<std::vector<Notice>>([&] {
    Stmt s(db_, "SELECT id, held_id, rcpt, raw, created_at, attempts FROM notices WHERE sent_at = 0 "
                "AND created_at >= ? ORDER BY id LIMIT ?");
    s.bind(1, created_after).bind(2, std::int64_t{limit});
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

util::Result<std::int64_t> SqliteStore::purge_notices(std::int64_t before) {
  return guarded<std::int64_t>([&] {
    Stmt s(db_, "DELETE FROM notices WHERE (sent_at > 0 AND sent_at < ?) OR (sent_at = 0 AND created_at < ?)");
    s.bind(1, before).bind(2, before).run();
    return static_cast<std::int64_t>(db_.changes());
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
