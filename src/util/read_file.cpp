// Reading a whole file; see read_file.hpp.
#include "preflight/util/read_file.hpp"

#include <fstream>
#include <sstream>

namespace preflight::util {

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{"cannot read"};
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size < 0) {  // not seekable: read it as a stream
    in.clear();
    std::stringstream all;
    all << in.rdbuf();
    if (in.bad()) return Error{"read error"};
    return all.str();
  }
  in.seekg(0);
  std::string bytes(static_cast<std::size_t>(size), '\0');
  if (!in.read(bytes.data(), size)) return Error{"read error"};
  return bytes;
}

}  // namespace preflight::util
