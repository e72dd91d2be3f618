// SQLite store: correspondents learned from mail that came in (milter.learn_daemons); see store.hpp.
// A table of its own, not rows in `history`: what the organisation wrote to (known domains, look-alike and
// typo candidates) must not grow because somebody outside wrote in.
#include "sqlite_store.hpp"

#include "preflight/util/strings.hpp"

namespace preflight::store {

void SqliteStore::create_received_schema() {
  db_.exec(R"SQL(
CREATE TABLE IF NOT EXISTS received (
  recipient TEXT NOT NULL, address TEXT NOT NULL, org_domain TEXT NOT NULL DEFAULT '',
  first_seen INTEGER, last_seen INTEGER, count INTEGER, PRIMARY KEY (recipient, address));
CREATE INDEX IF NOT EXISTS received_org ON received(org_domain);
)SQL");
}

util::Result<bool> SqliteStore::record_received(const std::vector<std::string>& recipients,
                                                const std::vector<DeliveredTo>& correspondents, std::int64_t at) {
  return guarded<bool>([&] {
    Transaction tx(db_);
    Stmt s(db_, "INSERT INTO received(recipient, address, org_domain, first_seen, last_seen, count) "
                "VALUES (?,?,?,?,?,1) ON CONFLICT(recipient, address) DO UPDATE SET "
                "last_seen = excluded.last_seen, count = count + 1, org_domain = excluded.org_domain");
    // Fill only: a name the organisation's own mail wrote (record_delivery) stays.
    Stmt n(db_, "INSERT INTO names(address, name, name_key) VALUES (?,?,?) ON CONFLICT(address) DO NOTHING");
    for (const auto& c : correspondents) {
      std::string addr = util::to_lower(c.address);
      for (const auto& r : recipients) {
        s.bind(1, util::to_lower(r)).bind(2, addr).bind(3, util::to_lower(c.org_domain)).bind(4, at).bind(5, at);
        s.run();
        s.reset();
      }
      if (c.display_name.empty()) continue;
      n.bind(1, addr).bind(2, c.display_name).bind(3, name_key(c.display_name)).run();
      n.reset();
    }
    tx.commit();
    return true;
  });
}

util::Result<std::int64_t> SqliteStore::received_from(const std::string& recipient, const std::string& address) {
  return guarded<std::int64_t>([&] {
    Stmt s(db_, "SELECT coalesce(sum(count), 0) FROM received WHERE recipient = ? AND address = ?");
    s.bind(1, util::to_lower(recipient)).bind(2, util::to_lower(address));
    s.step();
    return s.integer(0);
  });
}

util::Result<std::int64_t> SqliteStore::received_from_domain(const std::string& org_domain) {
  return guarded<std::int64_t>([&] {
    Stmt s(db_, "SELECT coalesce(sum(count), 0) FROM received WHERE org_domain = ?");
    s.bind(1, util::to_lower(org_domain));
    s.step();
    return s.integer(0);
  });
}

}  // namespace preflight::store
