// Builders and helpers shared by the attachment-inspection tests (defined in inspect_support_test.cpp):
// byte-level ZIP and compound-file builders, a scratch directory, and running external tools.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace inspect_test {
struct ZipItem {
  std::string name;  // raw bytes of the name, as stored
  std::string data;
  bool deflate = true;
  std::uint16_t flags = 0;
};
struct CfbItem {
  std::string path;  // "Macros/VBA/dir"; storages are created for every parent
  std::string data;
};
std::string scratch_dir();
void run(const std::string& command);
std::string slurp(const std::string& path);
void spit(const std::string& path, const std::string& data);
std::string build_zip(const std::vector<ZipItem>& items);
std::string build_cfb(const std::vector<CfbItem>& items);
}  // namespace inspect_test
