// Crypto primitives of crypto.hpp. Used only to test known passwords against verifiers, never to decrypt
// content, so speed and constant-time behaviour do not matter here.
#include "crypto.hpp"

#include <openssl/evp.h>

#include <array>
#include <memory>

namespace preflight::inspect::detail {

std::string digest(const char* name, std::string_view data) {
  const EVP_MD* md = EVP_get_digestbyname(name);
  if (!md) return {};
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, md, nullptr) != 1) return {};
  return std::string(reinterpret_cast<const char*>(out.data()), len);
}

std::string rc4(std::string_view key, std::string_view data) {
  if (key.empty()) return {};
  std::array<unsigned char, 256> s{};
  for (int i = 0; i < 256; ++i) s[i] = static_cast<unsigned char>(i);
  for (std::size_t i = 0, j = 0; i < 256; ++i) {
    j = (j + s[i] + static_cast<unsigned char>(key[i % key.size()])) & 0xFF;
    std::swap(s[i], s[j]);
  }
  std::string out(data);
  for (std::size_t k = 0, i = 0, j = 0; k < out.size(); ++k) {
    i = (i + 1) & 0xFF;
    j = (j + s[i]) & 0xFF;
    std::swap(s[i], s[j]);
    out[k] = static_cast<char>(static_cast<unsigned char>(out[k]) ^ s[(s[i] + s[j]) & 0xFF]);
  }
  return out;
}

std::string aes128_cbc_encrypt(std::string_view key, std::string_view iv, std::string_view data) {
  if (key.size() != 16 || iv.size() != 16 || data.size() % 16 != 0) return {};
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  if (!ctx) return {};
  auto* k = reinterpret_cast<const unsigned char*>(key.data());
  auto* v = reinterpret_cast<const unsigned char*>(iv.data());
  if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_cbc(), nullptr, k, v) != 1) return {};
  EVP_CIPHER_CTX_set_padding(ctx.get(), 0);
  std::string out(data.size(), '\0');
  int len = 0;
  if (EVP_EncryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len,
                        reinterpret_cast<const unsigned char*>(data.data()), static_cast<int>(data.size())) != 1)
    return {};
  out.resize(static_cast<std::size_t>(len));
  return out;
}

}  // namespace preflight::inspect::detail
