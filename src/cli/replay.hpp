// `preflightctl replay`: the milter's pipeline over past mail in simulated time (docs/replay.md).
// Internal to the cli module. Three parts: the sources (which mails, their envelopes and times, in
// order), the simulation (one scratch history per policy that learns as if each mail had left), and the
// report (per-rule tables, totals, the differences between two policies, as text or JSON).
#pragma once
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "preflight/context/store_context.hpp"
#include "preflight/mail/envelope.hpp"
#include "preflight/mail/message.hpp"
#include "preflight/policy/policy.hpp"
#include "preflight/util/result.hpp"

namespace preflight::cli::replay {

// A file that could not be replayed, and why.
struct Problem {
  std::string file, error;
};

// One mail to replay: where its bytes are and, when an envelope file gave it, its envelope.
struct Item {
  std::string name;  // in reports: the path as found, "PATH#N" for the Nth message of an mbox
  std::string path;  // the file to read
  bool in_mbox = false;
  std::uint64_t offset = 0, length = 0;  // in_mbox: the message's bytes after its "From " line
  std::optional<mail::Envelope> envelope;
  std::optional<std::int64_t> time;  // unix seconds: the envelope's time, else the Date header's
  bool inbound = false;  // "direction": "in" in the envelope file: learned from as learn mode would, not judged
};

struct Scan {
  std::vector<Item> items;
  std::vector<Problem> problems;
};

// Mails of mbox files, Maildir folders, directories of .eml (recursively) and single files.
Scan scan_sources(const std::vector<std::string>& sources);
// Exactly the mails an envelope file (JSON Lines) lists, with their envelopes.
Scan scan_envelopes(const std::string& envelope_file);
// Several envelope files as one (outgoing and inbound mail, say); ordered by time afterwards.
Scan scan_envelopes(const std::vector<std::string>& envelope_files);
// Stable sort by time; undated mails go last, in the order they were found.
void order_by_time(std::vector<Item>& items);
// The raw bytes of a mail (an mbox message with its ">From " quoting undone).
util::Result<std::string> load(const Item& item);
// The envelope the headers imply: From gives the sender; To, Cc and Bcc the recipients (each once).
mail::Envelope envelope_from_headers(const mail::Message& msg);

// What one policy made of one mail.
struct Outcome {
  policy::Action action = policy::Action::Accept;
  std::vector<std::pair<std::string, policy::Mode>> rules;  // every matching rule, in policy order
  std::vector<std::string> why;  // per matching rule: the facts it saw, "name = value; ..."
};

// One policy replayed against its own scratch history, which learns from every mail that would have left.
class Simulation {
 public:
  struct Seed {
    std::string store_file;             // a live store to copy (read-only); empty: start empty
    std::vector<std::string> log_files;  // Postfix logs to learn from first
  };
  static util::Result<std::unique_ptr<Simulation>> open(std::shared_ptr<const policy::Policy> policy,
                                                        const Seed& seed);
  // Evaluates the mail with "now" = `now`, then learns from it as the gateway would have.
  Outcome replay(const mail::Envelope& env, const mail::Message& msg, std::int64_t now);
  // Learns from a mail that came in, as a learn-mode connection would (context::record_received).
  void learn_inbound(const mail::Envelope& env, const mail::Message& msg, std::int64_t now);
  const policy::Policy& policy() const { return *policy_; }

 private:
  Simulation(std::shared_ptr<const policy::Policy> policy, std::shared_ptr<store::Store> store);
  std::shared_ptr<const policy::Policy> policy_;
  std::shared_ptr<store::Store> store_;
  std::shared_ptr<context::DomainCache> domains_;
  std::shared_ptr<context::KnownAddresses> addresses_;
};

// One replayed mail and what each policy made of it.
struct Record {
  std::string name, subject, from;
  std::optional<std::int64_t> time;
  std::vector<Outcome> outcomes;  // one per policy, in the order the policies were given
};

struct Run {
  std::vector<std::string> policy_names;  // "current", "candidate": how the report calls them
  std::vector<std::shared_ptr<const policy::Policy>> policies;
  std::vector<Record> mails;
  std::vector<Problem> problems;
  std::size_t undated = 0;        // replayed last, at the time of the last dated mail
  std::size_t undated_skipped = 0;  // left out because a date range was asked for
  std::size_t out_of_range = 0;   // outside --from-date/--to-date
  std::size_t inbound = 0;        // inbound mails learned from (not judged)
};

void print_text(const Run& run, std::size_t examples, std::ostream& out);
nlohmann::json to_json(const Run& run, std::size_t examples);

}  // namespace preflight::cli::replay
