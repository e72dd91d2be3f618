// `preflightctl history import FILE...` (Postfix logs, plain or .gz, oldest first) and
// `preflightctl history show SENDER [ADDRESS]`. Exit 0 on success, 1 on failure, 64 on usage errors.
#include <zlib.h>

#include <ctime>
#include <map>
#include <ostream>

#include "preflight/cli/cli.hpp"
#include "preflight/context/postfix_log.hpp"
#include "preflight/daemon/config.hpp"
#include "preflight/detect/organisation.hpp"
#include "preflight/store/store.hpp"
#include "history_import.hpp"

namespace preflight::cli {

namespace {

// Reads a plain or gzip-compressed file line by line (zlib reads plain files transparently).
bool for_each_line(const std::string& path, const std::function<void(std::string_view)>& f) {
  gzFile in = gzopen(path.c_str(), "rb");
  if (!in) return false;
  char buf[16384];
  std::string line;
  while (gzgets(in, buf, sizeof buf)) {
    line += buf;
    if (!line.empty() && line.back() == '\n') {
      f(line);
      line.clear();
    }
  }
  if (!line.empty()) f(line);
  gzclose(in);
  return true;
}

int import(store::Store& st, const std::vector<std::string>& files, std::ostream& out, std::ostream& err) {
  auto r = import_postfix_logs(st, files);
  if (!r.error.empty()) return err << "preflightctl history import: " << r.error << "\n", 1;
  out << r.deliveries << " deliveries imported from " << r.lines << " lines in " << files.size() << " file(s)\n";
  return 0;
}

int show(store::Store& st, const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.size() < 2) return err << "usage: preflightctl history show SENDER ADDRESS\n", 64;
  auto h = st.history(args[0], args[1]);
  if (!h) return err << h.error() << "\n", 1;
  if (!h->has_value()) return out << "never sent\n", 0;
  out << "count " << (*h)->count << ", first " << (*h)->first_seen << ", last " << (*h)->last_seen << "\n";
  return 0;
}

}  // namespace

LogImport import_postfix_logs(store::Store& st, const std::vector<std::string>& files) {
  std::time_t now = std::time(nullptr);
  context::PostfixLogReader reader(std::gmtime(&now)->tm_year + 1900);
  LogImport result;
  std::vector<store::SentMail> batch;  // written 1,000 deliveries to a transaction
  auto write = [&] {
    if (!batch.empty() && st.record_sent(batch)) result.deliveries += batch.size();
    batch.clear();
  };
  for (const auto& f : files) {
    bool ok = for_each_line(f, [&](std::string_view line) {
      auto d = reader.feed(line);
      if (!d) return;
      std::string domain = d->to.substr(d->to.rfind('@') + 1);
      batch.push_back({d->from, {{d->to, detect::organisational_domain(domain), ""}}, std::nullopt, 0, d->at});
      if (batch.size() == 1000) write();
    });
    if (!ok) {
      result.error = "cannot read " + f;
      break;
    }
  }
  write();
  result.lines = reader.lines();
  return result;
}

int history_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::string config = "/etc/preflight/preflight.yaml";
  std::vector<std::string> rest;
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--config" && i + 1 < args.size()) config = args[++i];
    else rest.push_back(args[i]);
  }
  if (args.empty() || (args[0] != "import" && args[0] != "show") || rest.empty()) {
    err << "usage: preflightctl history import FILE... [--config FILE]\n"
           "       preflightctl history show SENDER ADDRESS [--config FILE]\n";
    return 64;
  }
  auto cr = daemon::load_config(config);
  for (const auto& e : cr.errors) err << e.str() << "\n";
  if (!cr.errors.empty()) return 1;
  auto st = store::open_sqlite(cr.config.state_dir + "/preflight.db");
  if (!st) return err << st.error() << "\n", 1;
  return args[0] == "import" ? import(**st, rest, out, err) : show(**st, rest, out, err);
}

}  // namespace preflight::cli
