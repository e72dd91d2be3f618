// HTML escaping of untrusted text; see server.hpp (the one escaper is util::html_escape).
#include "preflight/web/server.hpp"

#include "preflight/util/strings.hpp"

namespace preflight::web {

std::string html_escape(std::string_view text) { return util::html_escape(text); }

}  // namespace preflight::web
