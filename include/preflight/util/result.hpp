// Result<T>: a value or an error message, for failures a caller is expected to handle (bad input,
// unreadable file). Bugs assert; bad configuration is a policy/config error with a location.
#pragma once
#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace preflight::util {

struct Error {
  std::string message;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Error error) : v_(std::move(error)) {}

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }
  T& value() { assert(ok()); return std::get<T>(v_); }
  const T& value() const { assert(ok()); return std::get<T>(v_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const std::string& error() const { assert(!ok()); return std::get<Error>(v_).message; }

 private:
  std::variant<T, Error> v_;
};

}  // namespace preflight::util
