// The daemon configuration (preflight.yaml): roles, milter socket, state directory, policy files,
// logging. Relative paths are resolved against the configuration file's directory. Errors carry
// file:line:column like policy errors.
#pragma once
#include <string>
#include <vector>

#include "preflight/milter/milter.hpp"
#include "preflight/policy/compile.hpp"

namespace preflight::daemon {

struct Config {
  std::string path;                   // the file read
  milter::Settings milter;
  std::string state_dir;              // spill files and, later, queue and history
  std::vector<std::string> policies;  // policy files, compiled in order
  std::string log_level = "info";     // trace, debug, info, warn, error
  std::string log_file;               // empty: standard error
};

struct ConfigResult {
  Config config;
  std::vector<policy::PolicyError> errors;
};

ConfigResult load_config(const std::string& path);

}  // namespace preflight::daemon
