// Learning the delivery history from Postfix logs (plain or .gz, oldest first), shared by
// `preflightctl history import` and `preflightctl replay --history-log`. Internal to the cli module.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "preflight/store/store.hpp"

namespace preflight::cli {

struct LogImport {
  std::size_t deliveries = 0, lines = 0;
  std::string error;  // empty on success: "cannot read FILE"
};

// Records every delivered recipient of the logs in `st`; stops at the first file that cannot be read.
LogImport import_postfix_logs(store::Store& st, const std::vector<std::string>& files);

}  // namespace preflight::cli
