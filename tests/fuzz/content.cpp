// Fuzz target: the content scanner (detect content): NFKC and separator folding, then the Hyperscan scan
// for My Numbers, card, phone and corporate numbers, addresses and keyword sets, on arbitrary bytes.
#include "fuzz_input.hpp"
#include "preflight/detect/content.hpp"

#include <memory>

namespace {
const preflight::detect::ContentScanner& scanner() {
  static const auto s = std::make_unique<preflight::detect::ContentScanner>(std::vector<preflight::detect::KeywordSet>{
      {"confidential", {"社外秘", "機密", "極秘", "取扱注意", "Confidential"}}, {"personal", {"個人情報", "名簿"}}});
  return *s;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace preflight;
  const std::string_view text = fuzz::bytes(data, size);
  (void)detect::normalise_text(text);
  (void)scanner().scan(text);
  return 0;
}
