// The web queue's only script and style sheet, served from the binary as /static/app.js and
// /static/app.css (the CSP allows scripts and styles from 'self' only, never inline). Private to web.
#pragma once
#include <string_view>

namespace preflight::web::assets {
extern const std::string_view kAppJs;
extern const std::string_view kAppCss;
}  // namespace preflight::web::assets
