// SpillBuffer: memory up to a limit, then an unlinked temporary file; see spill_buffer.hpp.
#include "preflight/util/spill_buffer.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

namespace preflight::util {

namespace {
std::string write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::string("write to spill file failed: ") + std::strerror(errno);
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}
}  // namespace

SpillBuffer::SpillBuffer(std::size_t memory_limit, std::string temp_dir)
    : limit_(memory_limit), dir_(std::move(temp_dir)) {}

SpillBuffer::~SpillBuffer() { clear(); }

void SpillBuffer::clear() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  memory_.clear();
  memory_.shrink_to_fit();
  size_ = 0;
}

std::string SpillBuffer::spill() {
  std::string path = dir_ + "/preflight-body-XXXXXX";
  int fd = ::mkostemp(path.data(), O_CLOEXEC);
  if (fd < 0) return "cannot create spill file in " + dir_ + ": " + std::strerror(errno);
  ::unlink(path.c_str());
  if (std::string err = write_all(fd, memory_); !err.empty()) {
    ::close(fd);
    return err;
  }
  fd_ = fd;
  memory_.clear();
  memory_.shrink_to_fit();
  return {};
}

std::string SpillBuffer::append(std::string_view bytes) {
  if (fd_ < 0 && memory_.size() + bytes.size() <= limit_) {
    memory_.append(bytes);
    size_ += bytes.size();
    return {};
  }
  if (fd_ < 0) {
    if (std::string err = spill(); !err.empty()) return err;
  }
  if (std::string err = write_all(fd_, bytes); !err.empty()) return err;
  size_ += bytes.size();
  return {};
}

}  // namespace preflight::util
