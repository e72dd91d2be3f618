// Fuzz target: the directory file (src/policy/directory.cpp). load_directory reads a path, so the input
// after its first byte is written to a scratch file of this process: as CSV when that byte is even, else YAML.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "../../src/policy/directory.hpp"
#include "fuzz_input.hpp"

namespace {
std::string scratch(const char* ext) {
  const char* dir = std::getenv("TMPDIR");
  return std::string(dir && *dir ? dir : "/tmp") + "/preflight-fuzz-directory-" + std::to_string(::getpid()) + ext;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace preflight;
  const bool yaml = size > 0 && (data[0] & 1);
  const std::string path = scratch(yaml ? ".yaml" : ".csv");
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) std::abort();
  if (size > 1 && std::fwrite(data + 1, 1, size - 1, f) != size - 1) std::abort();
  std::fclose(f);
  const auto r = policy::load_directory(path);
  std::remove(path.c_str());
  if (!r.error.empty() && !r.entries.empty()) std::abort();  // a bad file yields nothing half-read
  return 0;
}
