// The incident corpus (tests/corpus): every re-enacted incident must be caught by the shipped checklist
// policy through the rule the manifest names, with an action that stops or rewrites the mail; every
// ordinary business mail must pass (accept, or at most a tag). History, threads and exposure come from a
// real SQLite store seeded from the manifest. Where an entry lists `facts`, those facts must have exactly
// those values too (e.g. a number counted once across text/plain and text/html).
#include <doctest/doctest.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <ctime>
#include <fstream>
#include <sstream>

#include "preflight/context/store_context.hpp"
#include "preflight/engine/engine.hpp"
#include "preflight/mail/parse.hpp"
#include "preflight/policy/compile.hpp"
#include "preflight/util/strings.hpp"

using namespace preflight;

namespace {

std::string source(const std::string& rel) { return std::string(PREFLIGHT_SOURCE_DIR) + "/" + rel; }

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void seed(store::Store& st, const YAML::Node& m, std::int64_t now) {
  for (const auto& h : m["history"]) {
    std::string to = h[1].as<std::string>();
    std::string domain = to.substr(to.rfind('@') + 1);
    for (int i = 0; i < h[3].as<int>(); ++i)
      REQUIRE(st.record_delivery(h[0].as<std::string>(),
                                 {{to, detect::organisational_domain(domain), h[2].as<std::string>()}}, now - 86400)
                  .ok());
  }
  for (const auto& t : m["threads"])
    REQUIRE(st.record_thread({t["message_id"].as<std::string>(), t["from"].as<std::string>(),
                              t["visible"].as<std::vector<std::string>>(),
                              t["recipients"].as<std::vector<std::string>>(), now - 3600})
                .ok());
  for (const auto& e : m["exposure"]) REQUIRE(st.record_exposure(e[0].as<std::string>(), e[1].as<int>(), now - 60).ok());
}

mail::Envelope envelope(const YAML::Node& e) {
  mail::Envelope env;
  env.sender = mail::parse_addr_spec(e["from"].as<std::string>());
  for (const auto& r : e["rcpt"]) env.recipients.push_back(mail::parse_addr_spec(r.as<std::string>()));
  return env;
}

bool stops(policy::Action a) { return a >= policy::Action::Bcc; }

// The manifest's `facts` of an entry (fact name -> value as `check` prints it); returns the mismatches.
std::string fact_mismatches(const YAML::Node& entry, const detect::Facts& facts) {
  std::string out;
  for (const auto& f : entry["facts"]) {
    const std::string name = f.first.as<std::string>(), want = f.second.as<std::string>();
    const detect::FactValue* v = facts.get(name);
    const std::string got = v ? detect::describe(*v) : "(unset)";
    if (got != want) out += " " + name + " = " + got + ", expected " + want + ";";
  }
  return out;
}

}  // namespace

TEST_CASE("the shipped checklist policy catches every incident of the corpus and passes ordinary mail") {
  auto compiled = policy::compile_files({source("policies/checklist.yaml")});
  for (const auto& e : compiled.errors) INFO(e.str());
  REQUIRE(compiled.policy);
  const auto& pol = *compiled.policy;
  std::string db = "/tmp/preflight-corpus-" + std::to_string(getpid()) + ".db";
  auto st = store::open_sqlite(db);
  REQUIRE(st.ok());
  YAML::Node manifest = YAML::LoadFile(source("tests/corpus/manifest.yaml"));
  std::int64_t now = std::time(nullptr);
  seed(**st, manifest, now);
  auto domains = std::make_shared<context::DomainCache>();
  int incidents = 0, caught = 0, benign = 0, passed = 0, facts_ok = 0;
  std::string report;
  for (const auto& entry : manifest["messages"]) {
    std::string file = entry["file"].as<std::string>();
    auto msg = mail::parse_message(read(source("tests/corpus/" + file)));
    REQUIRE_MESSAGE(msg.ok(), file);
    context::StoreContext ctx(*st, domains, pol.organisation.split_window_seconds, now);
    auto ev = engine::evaluate(pol, envelope(entry), *msg, ctx);
    auto ids = ev.verdict.rule_ids(policy::Mode::Enforce);
    std::string outcome = std::string(policy::action_name(ev.verdict.action)) + " [" + util::join(ids, ",") + "]";
    const std::string wrong_facts = fact_mismatches(entry, ev.facts);
    facts_ok += wrong_facts.empty();
    if (!wrong_facts.empty()) report += "FACTS " + file + ":" + wrong_facts + "\n";
    if (entry["kind"].as<std::string>() == "incident") {
      ++incidents;
      std::string expect = entry["expect"].as<std::string>();
      bool ok = stops(ev.verdict.action) && std::find(ids.begin(), ids.end(), expect) != ids.end();
      caught += ok;
      if (!ok) report += "MISSED " + file + ": expected " + expect + ", got " + outcome + "\n";
    } else {
      ++benign;
      bool ok = !stops(ev.verdict.action);
      passed += ok;
      if (!ok) report += "STOPPED " + file + ": " + outcome + "\n";
    }
  }
  MESSAGE("corpus: incidents caught " << caught << "/" << incidents << ", ordinary mail passed " << passed << "/"
                                      << benign << "\n" << report);
  CHECK(incidents >= 20);
  CHECK(benign >= incidents);
  CHECK(caught == incidents);
  CHECK(passed == benign);
  CHECK(facts_ok == incidents + benign);
  for (const char* s : {"", "-wal", "-shm"}) unlink((db + s).c_str());
}
