// Reading a whole file into memory: one read of a regular file's size, a stream for anything else (a pipe).
#pragma once
#include <string>

#include "preflight/util/result.hpp"

namespace preflight::util {

// The bytes of the file at `path`; Error "cannot read" (it cannot be opened) or "read error".
Result<std::string> read_file(const std::string& path);

}  // namespace preflight::util
