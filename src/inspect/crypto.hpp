// The few primitives needed to tell whether a document opens with a well-known or empty password (PDF
// empty user password, Excel's "VelvetSweatshop" default): digests and AES-CBC via OpenSSL, and RC4,
// which OpenSSL 3 only offers through its legacy provider, written out here.
#pragma once
#include <string>
#include <string_view>

namespace preflight::inspect::detail {

// Digest by OpenSSL name ("MD5", "SHA1", "SHA256", "SHA384", "SHA512"); empty on failure.
std::string digest(const char* name, std::string_view data);
std::string rc4(std::string_view key, std::string_view data);
// AES-128-CBC encryption without padding (data must be a multiple of 16 bytes); empty on failure.
std::string aes128_cbc_encrypt(std::string_view key, std::string_view iv, std::string_view data);

}  // namespace preflight::inspect::detail
