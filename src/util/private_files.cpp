// Private files and directories; see private_files.hpp.
#include "preflight/util/private_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace preflight::util {

namespace {
Error errno_error(const std::string& what, const std::string& path) {
  return Error{what + " " + path + ": " + std::strerror(errno)};
}
}  // namespace

Result<bool> make_private_dir(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return Error{"cannot create " + path + ": " + ec.message()};
  if (::chmod(path.c_str(), kPrivateDirMode) != 0) return errno_error("cannot set mode 0700 on", path);
  return true;
}

Result<bool> restrict_file(const std::string& path) {
  if (::chmod(path.c_str(), kPrivateFileMode) == 0 || errno == ENOENT) return true;
  return errno_error("cannot set mode 0600 on", path);
}

Result<bool> create_private_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, kPrivateFileMode);
  if (fd < 0) return errno_error("cannot open or create", path);
  bool ok = ::fchmod(fd, kPrivateFileMode) == 0;
  Result<bool> r = ok ? Result<bool>(true) : Result<bool>(errno_error("cannot set mode 0600 on", path));
  ::close(fd);
  return r;
}

}  // namespace preflight::util
