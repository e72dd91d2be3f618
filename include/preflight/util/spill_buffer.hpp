// SpillBuffer: an append-only byte buffer kept in memory up to a limit, then moved to an anonymous
// temporary file (created in a given directory and unlinked at once, so nothing is left behind after a
// crash). Used for message bodies so that a 30 MB mail costs at most the limit in memory.
// Not thread-safe; one owner at a time.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace preflight::util {

class SpillBuffer {
 public:
  SpillBuffer(std::size_t memory_limit, std::string temp_dir);
  ~SpillBuffer();
  SpillBuffer(const SpillBuffer&) = delete;
  SpillBuffer& operator=(const SpillBuffer&) = delete;

  // Appends bytes; returns an error text (empty on success) when the temporary file cannot be written.
  std::string append(std::string_view bytes);
  std::size_t size() const { return size_; }
  bool spilled() const { return fd_ >= 0; }
  // The bytes, valid while not spilled.
  std::string_view memory() const { return memory_; }
  // The temporary file holding all bytes, valid while spilled; the owner keeps it open.
  int fd() const { return fd_; }
  void clear();

 private:
  std::string spill();

  std::size_t limit_;
  std::string dir_;
  std::string memory_;
  std::size_t size_ = 0;
  int fd_ = -1;
};

}  // namespace preflight::util
