// The web queue's texts in Japanese and English (private to the web module): every fixed string the
// pages show comes from the one catalogue in i18n.cpp. The language is the `pf_lang` cookie's when set
// (the switch on every page), otherwise the first of Accept-Language that we have, otherwise Japanese.
#pragma once
#include <string>
#include <string_view>

namespace preflight::web {

enum class Lang { Ja, En };

Lang choose_lang(std::string_view cookie, std::string_view accept_language);
const char* lang_code(Lang l);  // "ja", "en"
// The text for `key`; the key itself when the catalogue lacks it (a visible, harmless fallback).
std::string tr(Lang l, std::string_view key);

}  // namespace preflight::web
