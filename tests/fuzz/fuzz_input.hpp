// Shared by the fuzz targets: the libFuzzer entry point's bytes as a string_view, and a splitter that cuts
// one input into fields at a separator byte so that a target can take several strings from one input.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace preflight::fuzz {

inline std::string_view bytes(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// The first `n` fields of `in` separated by `sep`; missing fields are empty, the last one takes the rest.
inline std::vector<std::string_view> fields(std::string_view in, char sep, std::size_t n) {
  std::vector<std::string_view> out;
  while (out.size() + 1 < n) {
    const std::size_t at = in.find(sep);
    if (at == std::string_view::npos) break;
    out.push_back(in.substr(0, at));
    in.remove_prefix(at + 1);
  }
  out.push_back(in);
  out.resize(n);
  return out;
}

}  // namespace preflight::fuzz
