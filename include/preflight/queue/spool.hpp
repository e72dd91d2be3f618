// The spool: one file per held message (the raw bytes as the MTA passed them), written durably before the
// MTA is told anything: write to tmp/, fsync the file, link it under its final name (never replacing one), fsync the directory. A file is
// either complete under its final name or absent; a crash leaves at most a stray tmp/ file.
// Thread-safe (no shared state besides the file system).
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "preflight/util/result.hpp"
#include "preflight/util/spill_buffer.hpp"

namespace preflight::queue {

class Spool {
 public:
  // `extension`: the final names' ending (held mail ".eml", detached attachments ".bin").
  explicit Spool(std::string dir, std::string extension = ".eml");
  // Creates the directories if needed; an error when they cannot be made.
  util::Result<bool> prepare() const;
  // Stores the bytes of `raw` (memory or spilled file) durably as message `id`.
  util::Result<bool> store(const std::string& id, const util::SpillBuffer& raw) const;
  util::Result<bool> store(const std::string& id, std::string_view bytes) const;
  util::Result<std::string> load(const std::string& id) const;
  bool remove(const std::string& id) const;
  // Ids of all complete files in the spool.
  std::vector<std::string> ids() const;
  std::string path(const std::string& id) const;

 private:
  template <typename Writer>
  util::Result<bool> store_with(const std::string& id, Writer&& write) const;

  std::string dir_;
  std::string ext_;
};

// A new random message id (hex, 20 characters, from the kernel CSPRNG; empty if it fails).
std::string new_id();

}  // namespace preflight::queue
