// Builders and helpers shared by the attachment-inspection tests (defined in inspect_support_test.cpp):
// byte-level ZIP and compound-file builders, a scratch directory, running external tools, and a guard that
// turns a runaway allocation into std::bad_alloc.
#pragma once
#include <sys/resource.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "preflight/inspect/inspect.hpp"

namespace inspect_test {
struct ZipItem {
  std::string name;  // raw bytes of the name, as stored
  std::string data;
  bool deflate = true;
  std::uint16_t flags = 0;
  int method = -1;  // when >= 0, the method written in the headers instead (the bytes stay as they are)
};
struct CfbItem {
  std::string path;  // "Macros/VBA/dir"; storages are created for every parent
  std::string data;
};
std::string scratch_dir();
void run(const std::string& command);
std::string slurp(const std::string& path);
void spit(const std::string& path, const std::string& data);
// With `zip64_end`, the end of central directory is written the ZIP64 way (record, locator, all-ones end).
std::string build_zip(const std::vector<ZipItem>& items, bool zip64_end = false);
// True when `reason` is among the report's incomplete reasons.
bool incomplete_for(const preflight::inspect::FileReport& report, const std::string& reason);
std::string build_cfb(const std::vector<CfbItem>& items);

// While alive, caps this process's address space at its current size plus `headroom` bytes, so that an
// allocation the code under test must never make fails as std::bad_alloc (which inspect() reports as the
// problem "out of memory while inspecting") instead of exhausting the machine. A no-op under sanitizers,
// which reserve large address ranges.
class AddressSpaceCap {
 public:
  explicit AddressSpaceCap(std::size_t headroom);
  ~AddressSpaceCap();
  AddressSpaceCap(const AddressSpaceCap&) = delete;
  AddressSpaceCap& operator=(const AddressSpaceCap&) = delete;

 private:
  rlimit saved_{};
  bool active_ = false;
};
}  // namespace inspect_test
