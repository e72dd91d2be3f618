// The objects of one PDF by number, for following references from the catalog to pages, fonts and content
// streams. Objects are found by scanning the file for "N G obj" (a later definition wins, as incremental
// updates append) and inside object streams (/Type /ObjStm, FlateDecode); the cross-reference table is
// never trusted, so a damaged one hides nothing. Bounded: at most kMaxObjects objects and kMaxObjectStreams
// object streams, every decompression under the inspection Budget. Views point into the file or into
// decompressed object streams owned by the index.
#pragma once
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "internal.hpp"

namespace preflight::inspect::detail {

class PdfObjects {
 public:
  PdfObjects(std::string_view file, Budget& budget, FileReport& report);
  // The text of object `num` from its first value on (it may run past the object's end), or empty.
  std::string_view object(std::uint32_t num) const;
  // Follows "N G R" to the referenced object's text; any other value comes back as it is.
  std::string_view resolve(std::string_view value) const;
  // The dictionary a value is or refers to ("<< ... >>"), or empty.
  std::string_view dict(std::string_view value) const;
  // The decoded data of the stream a value refers to: unfiltered or FlateDecode, at most `max` bytes
  // (`cut` set when there was more). nullopt if it is no stream or uses another filter.
  std::optional<std::string> stream(std::string_view value, std::size_t max, bool& cut);
  // The value of /Root in the newest trailer or cross-reference stream dictionary, or empty.
  std::string_view root() const { return root_; }

  static constexpr std::size_t kMaxObjects = 1 << 20;
  static constexpr std::size_t kMaxObjectStreams = 10000;
  static constexpr std::size_t kMaxObjectStreamBytes = 64 * 1024 * 1024;

 private:
  void scan_file();
  void load_object_streams();
  void add(std::uint32_t num, std::string_view text, bool replace);

  std::string_view file_;
  Budget& budget_;
  FileReport& report_;
  std::unordered_map<std::uint32_t, std::string_view> objects_;
  std::deque<std::string> owned_;  // decompressed object streams
  std::string_view root_;
};

}  // namespace preflight::inspect::detail
