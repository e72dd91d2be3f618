// Reads the directory file the administrator maintains: who is whose supervisor and deputy, and
// departments. CSV (header line `address,supervisor,deputy,delegate,department`, `#` comments) or YAML (a list of
// maps with the same keys). An unknown column or key, and a supervisor, deputy or delegate that is not an
// address, is an error ("line N: ..."). Addresses are kept as mailbox keys (mail::mailbox_key: lower-case,
// no +extension), as approver resolution looks them up. Internal to the policy module.
#pragma once
#include <map>
#include <string>

#include "preflight/detect/organisation.hpp"

namespace preflight::policy {

struct DirectoryResult {
  std::map<std::string, detect::DirectoryEntry> entries;
  std::string error;  // "line N: ..." when the file is bad
};

DirectoryResult load_directory(const std::string& path);

}  // namespace preflight::policy
