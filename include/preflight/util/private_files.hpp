// Files and directories only preflight's own user may read: the state directory and the spool are 0700,
// the database, its WAL and shared-memory files, spooled mail and the link key are 0600, whatever the
// process umask is. Permissions are set explicitly (mode at creation, then chmod), never left to the umask.
#pragma once
#include <string>

#include "preflight/util/result.hpp"

namespace preflight::util {

constexpr unsigned kPrivateDirMode = 0700;
constexpr unsigned kPrivateFileMode = 0600;

// Creates `path` and any missing parents; `path` itself (not its parents) ends up 0700.
Result<bool> make_private_dir(const std::string& path);
// Sets an existing file to 0600; a file that does not exist is fine (true).
Result<bool> restrict_file(const std::string& path);
// Creates `path` 0600 if it does not exist; an existing one is set to 0600. Never follows a symlink.
Result<bool> create_private_file(const std::string& path);

}  // namespace preflight::util
