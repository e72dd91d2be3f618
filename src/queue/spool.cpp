// Durable spool files; see spool.hpp.
#include "preflight/queue/spool.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "preflight/util/private_files.hpp"
#include "preflight/util/random.hpp"

namespace preflight::queue {

namespace {

std::string errno_text(const std::string& what) { return what + ": " + std::strerror(errno); }

bool write_all(int fd, const char* p, std::size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

// Copies a spilled buffer's file into `out` without loading it whole.
bool copy_fd(int in, int out) {
  char buf[65536];
  off_t off = 0;
  while (true) {
    ssize_t r = ::pread(in, buf, sizeof buf, off);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return false;
    if (r == 0) return true;
    if (!write_all(out, buf, static_cast<std::size_t>(r))) return false;
    off += r;
  }
}

bool valid_id(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!std::isalnum(static_cast<unsigned char>(c))) return false;
  return true;
}

}  // namespace

std::string new_id() { return util::random_hex(10); }  // kernel CSPRNG; empty (an invalid id) on failure

Spool::Spool(std::string dir, std::string extension) : dir_(std::move(dir)), ext_(std::move(extension)) {}

std::string Spool::path(const std::string& id) const { return dir_ + "/" + id + ext_; }

util::Result<bool> Spool::prepare() const {
  for (const std::string& dir : {dir_, dir_ + "/tmp"})
    if (auto ok = util::make_private_dir(dir); !ok) return util::Error{"spool: " + ok.error()};
  return true;
}

template <typename Writer>
util::Result<bool> Spool::store_with(const std::string& id, Writer&& write) const {
  if (!valid_id(id)) return util::Error{"invalid message id"};
  std::string tmp = dir_ + "/tmp/" + id + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return util::Error{errno_text("spool: cannot create " + tmp)};
  bool ok = write(fd) && ::fsync(fd) == 0;
  std::string err = ok ? "" : errno_text("spool: cannot write " + tmp);
  if (::close(fd) != 0 && ok) ok = false, err = errno_text("spool: cannot close " + tmp);
  // link() rather than rename(): an existing message is never replaced.
  if (ok && ::link(tmp.c_str(), path(id).c_str()) != 0) ok = false, err = errno_text("spool: cannot link " + path(id));
  ::unlink(tmp.c_str());  // after link: the final name remains; after a failure: nothing half-stored
  if (!ok) return util::Error{err};
  int dfd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  bool synced = dfd >= 0 && ::fsync(dfd) == 0;
  if (dfd >= 0) ::close(dfd);
  if (!synced) {
    ::unlink(path(id).c_str());
    return util::Error{errno_text("spool: cannot sync directory " + dir_)};
  }
  return true;
}

util::Result<bool> Spool::store(const std::string& id, const util::SpillBuffer& raw) const {
  return store_with(id, [&](int fd) {
    return raw.spilled() ? copy_fd(raw.fd(), fd) : write_all(fd, raw.memory().data(), raw.memory().size());
  });
}

util::Result<bool> Spool::store(const std::string& id, std::string_view bytes) const {
  return store_with(id, [&](int fd) { return write_all(fd, bytes.data(), bytes.size()); });
}

util::Result<std::string> Spool::load(const std::string& id) const {
  if (!valid_id(id)) return util::Error{"invalid message id"};
  int fd = ::open(path(id).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return util::Error{errno_text("spool: cannot open " + path(id))};
  std::string out;
  char buf[65536];
  ssize_t r;
  while ((r = ::read(fd, buf, sizeof buf)) > 0 || (r < 0 && errno == EINTR))
    if (r > 0) out.append(buf, static_cast<std::size_t>(r));
  bool failed = r < 0;
  ::close(fd);
  if (failed) return util::Error{errno_text("spool: cannot read " + path(id))};
  return out;
}

bool Spool::remove(const std::string& id) const { return valid_id(id) && ::unlink(path(id).c_str()) == 0; }

std::vector<std::string> Spool::ids() const {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir_, ec)) {
    std::string name = e.path().filename().string();
    if (e.is_regular_file() && name.size() > ext_.size() && name.ends_with(ext_))
      out.push_back(name.substr(0, name.size() - ext_.size()));
  }
  return out;
}

}  // namespace preflight::queue
