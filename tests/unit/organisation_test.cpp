// Address classification: internal domains, subdomains, the Public Suffix List and IDN.
#include <doctest/doctest.h>

#include "preflight/detect/organisation.hpp"

using namespace preflight::detect;

TEST_CASE("subdomains of an internal domain are internal, look-alikes are not") {
  Organisation org;
  org.internal_domains = {"example.co.jp"};
  CHECK(org.is_internal("example.co.jp"));
  CHECK(org.is_internal("mail.example.co.jp"));
  CHECK(org.is_internal("A.Example.CO.JP."));
  CHECK_FALSE(org.is_internal("badexample.co.jp"));
  CHECK_FALSE(org.is_internal("example.co.jp.evil.com"));
  CHECK_FALSE(org.is_internal("example.com"));
  CHECK_FALSE(org.is_internal(""));
}

TEST_CASE("the organisational domain comes from the Public Suffix List") {
  CHECK(organisational_domain("a.b.example.co.jp") == "example.co.jp");
  CHECK(organisational_domain("example.co.jp") == "example.co.jp");
  CHECK(organisational_domain("sales.acme.com") == "acme.com");
  CHECK(organisational_domain("city.shibuya.tokyo.jp") == "city.shibuya.tokyo.jp");
  CHECK(is_public_suffix("co.jp"));
  CHECK(is_public_suffix("com"));
  CHECK_FALSE(is_public_suffix("example.co.jp"));
}

TEST_CASE("IDN domains are compared in their ASCII form") {
  CHECK(normalise_domain("例え.jp") == "xn--r8jz45g.jp");
  Organisation org;
  org.internal_domains = {normalise_domain("例え.jp")};
  CHECK(org.is_internal("メール.例え.jp"));
  CHECK(org.is_internal("xn--r8jz45g.jp"));
  CHECK(organisational_domain("www.例え.jp") == "xn--r8jz45g.jp");
}

TEST_CASE("sender globs are case-insensitive and anchored") {
  CHECK(glob_match("*@sales.example.co.jp", "Taro@Sales.Example.co.jp"));
  CHECK(glob_match("ml-*@example.co.jp", "ml-all@example.co.jp"));
  CHECK_FALSE(glob_match("ml-*@example.co.jp", "xml-all@example.co.jp"));
  CHECK(glob_match("a?c", "abc"));
  CHECK_FALSE(glob_match("a?c", "abbc"));
}
