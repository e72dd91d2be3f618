// preflightctl: the administrator's command line. One file per subcommand:
//   check MESSAGE.eml --from ADDR --rcpt ADDR... [--json]   the milter's pipeline without an MTA
//   policy lint FILE...                                       compile policy files, report errors
//   history import FILE... | show SENDER ADDRESS                  delivery history from Postfix logs
//   queue list|show|approve|reject|cancel|release|purge|approvers   the held-mail queue
//   user add NAME --email ADDR --role R | user list                 web accounts (password on stdin)
//   replay SOURCE... [--policy FILE]...                             past mail through the pipeline, in simulated time
#pragma once
#include <string>
#include <vector>

namespace preflight::cli {

// Entry point; returns the process exit code. `out`/`err` are the streams to write to.
int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

int check(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int history_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int queue_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int user_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int replay_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int policy_lint(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
// `config check [--config FILE]`: the configuration, its policies and directory file, the state and socket
// directories, the MTA's re-injection listener (config_check.cpp).
int config_check(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace preflight::cli
