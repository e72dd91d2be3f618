// Fuzz target: charset conversion (util/charset, util/iso2022jp). The first byte picks the declared charset
// from the ones Japanese mail declares; the rest is converted, guessed, rewritten from ISO-2022-JP to CP932
// and NFKC-normalised. Every path must give well-formed UTF-8.
#include <array>
#include <cstdlib>

#include "fuzz_input.hpp"
#include "preflight/util/charset.hpp"
#include "preflight/util/iso2022jp.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace preflight;
  static constexpr std::array<std::string_view, 12> kCharsets = {
      "ISO-2022-JP", "Shift_JIS", "EUC-JP", "UTF-8",      "CP932",    "iso-2022-jp-2",
      "UTF-16",      "UTF-7",     "",       "x-unknown", "windows-1252", "ISO-8859-1"};
  if (size == 0) return 0;
  const std::string_view charset = kCharsets[data[0] % kCharsets.size()];
  const std::string_view text = fuzz::bytes(data + 1, size - 1);
  if (!util::is_utf8(util::to_utf8(text, charset))) std::abort();
  if (!util::is_utf8(util::guess_to_utf8(text))) std::abort();
  (void)util::iso2022jp_to_cp932(text);
  (void)util::has_jis_escape(text);
  if (!util::is_utf8(util::nfkc(text))) std::abort();
  return 0;
}
