// 7z archives: encryption only (entries are not extracted). The end header is found from the signature
// header; when it is itself packed ("encoded header"), its folder's coders are read: an AES coder
// (06F10701) means the header is encrypted; an LZMA/LZMA2 coder is unpacked (liblzma, bounded) and the real
// header is scanned for the AES coder id, which marks encrypted entries.
#include <lzma.h>

#include <array>
#include <cstdlib>
#include <vector>

#include "internal.hpp"

namespace preflight::inspect::detail {

namespace {

constexpr std::string_view kAesId("\x06\xF1\x07\x01", 4);
constexpr std::size_t kMaxHeader = 16 * 1024 * 1024;

// A cursor over header bytes that reads 7z's variable-length NUMBER; running past the end sets `bad`.
struct Reader {
  std::string_view s;
  std::size_t at = 0;
  bool bad = false;
  std::uint8_t byte() {
    if (at >= s.size()) bad = true;
    return bad ? 0 : u8(s, at++);
  }
  std::uint64_t number() {
    const std::uint8_t first = byte();
    std::uint64_t value = 0;
    for (int i = 0, mask = 0x80; i < 8; ++i, mask >>= 1) {
      if (!(first & mask)) return value | (std::uint64_t(first & (mask - 1)) << (8 * i));
      value |= std::uint64_t{byte()} << (8 * i);
    }
    return value;
  }
  std::string_view bytes(std::uint64_t n) {
    if (n > s.size() - std::min(at, s.size())) bad = true;
    if (bad) return {};
    const std::string_view v = s.substr(at, n);
    at += n;
    return v;
  }
};

struct Coder {
  std::string_view id, props;
};

struct Folder {
  std::uint64_t pack_pos = 0, pack_size = 0, unpack_size = 0;
  std::vector<Coder> coders;
};

// StreamsInfo of an encoded header: pack position and size, then the first folder's coders and sizes.
bool read_streams(Reader& r, Folder& f) {
  if (r.byte() != 0x06) return false;  // kPackInfo
  f.pack_pos = r.number();
  const std::uint64_t packs = r.number();
  for (std::uint8_t id = r.byte(); id != 0x00 && !r.bad; id = r.byte()) {
    if (id != 0x09) return false;  // only kSize is expected in an encoded header
    for (std::uint64_t i = 0; i < packs && !r.bad; ++i) {
      const std::uint64_t size = r.number();
      if (i == 0) f.pack_size = size;
    }
  }
  if (r.byte() != 0x07 || r.byte() != 0x0B) return false;  // kUnPackInfo, kFolder
  if (r.number() < 1 || r.byte() != 0) return false;       // at least one folder, not external
  const std::uint64_t coders = r.number();
  std::uint64_t outs = 0;
  for (std::uint64_t i = 0; i < coders && i < 8 && !r.bad; ++i) {
    const std::uint8_t flags = r.byte();
    Coder c{r.bytes(flags & 0x0F), {}};
    std::uint64_t out = 1;
    if (flags & 0x10) r.number(), out = r.number();
    if (flags & 0x20) c.props = r.bytes(r.number());
    outs += out;
    f.coders.push_back(c);
  }
  for (std::uint64_t i = 1; i < outs && i < 16 && !r.bad; ++i) r.number(), r.number();  // bind pairs
  if (r.byte() != 0x0C) return !r.bad;  // kCodersUnPackSize
  f.unpack_size = r.number();
  return !r.bad;
}

// Unpacks an LZMA or LZMA2 stream to at most `cap` bytes. The dictionary is clamped to `cap`: no match can
// reach further back than the output, and a hostile header must not choose the allocation size.
std::string unlzma(const Coder& c, std::string_view in, std::size_t cap) {
  lzma_filter filters[2] = {{c.id == "\x21" ? LZMA_FILTER_LZMA2 : LZMA_FILTER_LZMA1, nullptr},
                            {LZMA_VLI_UNKNOWN, nullptr}};
  if (lzma_properties_decode(&filters[0], nullptr, reinterpret_cast<const std::uint8_t*>(c.props.data()),
                             c.props.size()) != LZMA_OK)
    return {};
  auto* opt = static_cast<lzma_options_lzma*>(filters[0].options);
  opt->dict_size = std::max<std::uint32_t>(LZMA_DICT_SIZE_MIN, static_cast<std::uint32_t>(std::min<std::size_t>(opt->dict_size, cap)));
  lzma_stream strm = LZMA_STREAM_INIT;
  std::string out;
  if (lzma_raw_decoder(&strm, filters) == LZMA_OK) {
    strm.next_in = reinterpret_cast<const std::uint8_t*>(in.data());
    strm.avail_in = in.size();
    std::array<std::uint8_t, 65536> buf;
    for (lzma_ret rc = LZMA_OK; rc == LZMA_OK && out.size() < cap;) {
      strm.next_out = buf.data();
      strm.avail_out = buf.size();
      rc = lzma_code(&strm, strm.avail_in ? LZMA_RUN : LZMA_FINISH);
      out.append(reinterpret_cast<const char*>(buf.data()), std::min(buf.size() - strm.avail_out, cap - out.size()));
      if (buf.size() == strm.avail_out && strm.avail_in == 0) break;
    }
  }
  lzma_end(&strm);
  std::free(filters[0].options);
  return out;
}

void encoded_header(FileReport& r, std::string_view bytes, std::string_view hdr, Budget& budget) {
  Reader rd{hdr, 1};
  Folder f;
  if (!read_streams(rd, f) || f.coders.empty()) {
    r.problems.push_back("7z: unreadable encoded header");
    return;
  }
  for (const Coder& c : f.coders)
    if (c.id == kAesId) {
      r.encrypted = true;
      r.encryption = "7z";
      r.problems.push_back("7z: file names are encrypted too");
      return;
    }
  const Coder& c = f.coders.front();
  if (f.coders.size() != 1 || (c.id != "\x03\x01\x01" && c.id != "\x21")) {
    r.problems.push_back("7z: header packed with an unsupported method");
    return;
  }
  const std::size_t cap = std::min({kMaxHeader, budget.expand_room(), static_cast<std::size_t>(f.unpack_size)});
  const std::string plain = unlzma(c, slice(bytes, 32 + f.pack_pos, f.pack_size), cap);
  budget.spend_expanded(plain.size());
  if (plain.empty() || plain[0] != 0x01) r.problems.push_back("7z: packed header did not unpack");
  if (plain.find(kAesId) != std::string::npos) {
    r.encrypted = true;
    r.encryption = "7z";
  }
}

}  // namespace

void inspect_7z(FileReport& r, std::string_view bytes, Budget& budget) {
  const std::uint64_t off = le64(bytes, 12), size = le64(bytes, 20);
  if (bytes.size() < 32 || off > bytes.size() || size > bytes.size() - 32 - std::min<std::uint64_t>(off, bytes.size() - 32)) {
    return mark_incomplete(r, "corrupt", "7z: end header missing (file cut off?)");
  }
  const std::string_view hdr = slice(bytes, 32 + off, size);
  if (hdr.empty()) return;  // an empty archive
  if (u8(hdr, 0) == 0x17) {
    encoded_header(r, bytes, hdr, budget);
  } else if (hdr.find(kAesId) != std::string_view::npos) {
    r.encrypted = true;
    r.encryption = "7z";
  }
  if (!r.encrypted) mark_incomplete(r, "method", "7z entries are not extracted");
}

}  // namespace preflight::inspect::detail
