// `preflightctl user ...`: the web role's local accounts, in the same store the daemon uses.
//   add NAME --email ADDR --role admin|approver|auditor   the password is read from standard input
//                                                         (first line), so it shows up in no process list
//   list [--json]
// Options: --config FILE. Adding an existing name replaces its email, role and password. Exit 0 on
// success, 1 on failure, 64 on usage errors.
#include <nlohmann/json.hpp>

#include <ctime>
#include <filesystem>
#include <iostream>
#include <ostream>

#include "preflight/cli/cli.hpp"
#include "preflight/daemon/config.hpp"
#include "preflight/store/store.hpp"
#include "preflight/util/private_files.hpp"
#include "preflight/web/app.hpp"
#include "preflight/web/password.hpp"

namespace preflight::cli {

namespace {

struct UserArgs {
  std::string command, name, email, role, config = "/etc/preflight/preflight.yaml";
  bool json = false;
};

bool parse(const std::vector<std::string>& args, UserArgs& a, std::ostream& err) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& s = args[i];
    bool v = i + 1 < args.size();
    if (s == "--json") a.json = true;
    else if (s == "--config" && v) a.config = args[++i];
    else if (s == "--email" && v) a.email = args[++i];
    else if (s == "--role" && v) a.role = args[++i];
    else if (a.command.empty()) a.command = s;
    else if (a.name.empty() && s[0] != '-') a.name = s;
    else return err << "preflightctl user: unexpected argument '" << s << "'\n", false;
  }
  bool add_ok = a.command == "add" && !a.name.empty() && a.email.find('@') != std::string::npos &&
                web::parse_role(a.role).has_value();
  if (!add_ok && a.command != "list") {
    err << "usage: preflightctl user add NAME --email ADDR --role admin|approver|auditor [--config FILE]\n"
           "         (password on standard input)\n"
           "       preflightctl user list [--json] [--config FILE]\n";
    return false;
  }
  return true;
}

int add(store::Store& st, const UserArgs& a, std::istream& in, std::ostream& out, std::ostream& err) {
  std::string password;
  std::getline(in, password);
  if (!password.empty() && password.back() == '\r') password.pop_back();
  if (password.size() < 8) return err << "preflightctl user: the password needs at least 8 characters\n", 1;
  auto hash = web::hash_password(password);
  if (!hash) return err << hash.error() << "\n", 1;
  auto ok = st.put_user({a.name, a.email, a.role, *hash, static_cast<std::int64_t>(std::time(nullptr))});
  if (!ok) return err << ok.error() << "\n", 1;
  out << "user " << a.name << " (" << a.role << ", " << a.email << ") saved\n";
  return 0;
}

int list(store::Store& st, const UserArgs& a, std::ostream& out, std::ostream& err) {
  auto users = st.users();
  if (!users) return err << users.error() << "\n", 1;
  nlohmann::json j = nlohmann::json::array();
  for (const auto& u : *users) {
    if (a.json) j.push_back({{"name", u.name}, {"email", u.email}, {"role", u.role}, {"created_at", u.created_at}});
    else out << u.name << "\t" << u.role << "\t" << u.email << "\n";
  }
  if (a.json) out << j.dump(2) << "\n";
  return 0;
}

}  // namespace

int user_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  UserArgs a;
  if (!parse(args, a, err)) return 64;
  auto cr = daemon::load_config(a.config);
  for (const auto& e : cr.errors) err << e.str() << "\n";
  if (!cr.errors.empty()) return 1;
  if (auto ok = util::make_private_dir(cr.config.state_dir); !ok)  // before the daemon's first start
    return err << ok.error() << "\n", 1;
  auto st = store::open_sqlite(cr.config.state_dir + "/preflight.db");
  if (!st) return err << st.error() << "\n", 1;
  if (a.command == "add") return add(**st, a, std::cin, out, err);
  return list(**st, a, out, err);
}

}  // namespace preflight::cli
