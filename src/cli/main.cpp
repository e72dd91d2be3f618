// preflightctl subcommand dispatch; see cli.hpp.
#include <ostream>

#include "preflight/cli/cli.hpp"

namespace preflight::cli {

namespace {
void usage(std::ostream& o) {
  o << "usage:\n"
       "  preflightctl check MESSAGE.eml --from ADDR --rcpt ADDR [--rcpt ADDR ...]\n"
       "               [--config FILE | --policy FILE ...] [--json]\n"
       "  preflightctl config check [--config FILE]\n"
       "  preflightctl policy lint FILE...\n"
       "  preflightctl history import FILE... | history show SENDER ADDRESS  [--config FILE]\n"
       "  preflightctl queue list|show ID|approve ID|reject ID|cancel ID|release ID|purge|approvers\n"
       "               [--config FILE] [--json] [--state S] [--approver ADDR] [--comment TEXT] [--bcc]\n"
       "               [--older-than DAYS]\n"
       "  preflightctl user add NAME --email ADDR --role admin|approver|auditor  (password on stdin)\n"
       "  preflightctl user list [--json]  [--config FILE]\n"
       "  preflightctl replay SOURCE... [--config FILE] [--policy FILE[,FILE...]]... [--envelopes FILE]\n"
       "               [--history-log FILE ...] [--seed-store] [--from-date D] [--to-date D] [--json]\n"
       "               [--examples N]   (current policy: the config's, else the first --policy;\n"
       "               a further --policy is the candidate; see docs/replay.md)\n";
}
}  // namespace

int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.empty() || args[0] == "-h" || args[0] == "--help") {
    usage(args.empty() ? err : out);
    return args.empty() ? 64 : 0;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "check") return check(rest, out, err);
  if (args[0] == "queue") return queue_command(rest, out, err);
  if (args[0] == "user") return user_command(rest, out, err);
  if (args[0] == "history") return history_command(rest, out, err);
  if (args[0] == "replay") return replay_command(rest, out, err);
  if (args[0] == "config" && !rest.empty() && rest[0] == "check")
    return config_check({rest.begin() + 1, rest.end()}, out, err);
  if (args[0] == "policy" && !rest.empty() && rest[0] == "lint")
    return policy_lint({rest.begin() + 1, rest.end()}, out, err);
  err << "preflightctl: unknown command '" << args[0] << "'\n";
  usage(err);
  return 64;
}

}  // namespace preflight::cli
