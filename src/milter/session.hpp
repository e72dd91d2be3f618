// Per-connection and per-message state of the milter. Internal to the milter module.
#pragma once
#include <memory>
#include <optional>
#include <string>

#include "preflight/mail/envelope.hpp"
#include "preflight/policy/policy.hpp"
#include "preflight/util/spill_buffer.hpp"

namespace preflight::milter {

struct Transaction {
  Transaction(std::size_t memory_limit, const std::string& spill_dir) : raw(memory_limit, spill_dir) {}
  mail::Envelope envelope;
  util::SpillBuffer raw;      // headers as the MTA passed them, a blank line, then the body
  // The first failure before end of message (a spill write, an exception in a step that sends no reply);
  // end of message answers it by milter.on_error, as any error before a verdict.
  std::string failure;
  std::shared_ptr<const policy::Policy> policy;  // pinned at MAIL FROM
};

struct Session {
  std::string client_addr;
  bool learn = false;  // {daemon_name} is one of Settings::learn_daemons: learn, never check
  std::string failure;  // a failure outside a transaction (connect); every message of the session answers it
  std::optional<Transaction> tx;
};

}  // namespace preflight::milter
