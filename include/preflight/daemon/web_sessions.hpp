// The web role's session backend over the store, so that signed-in sessions survive a restart of
// preflightd while the web module knows nothing of the store. A store failure is logged and then counts
// as "not saved" or "absent" (a session that cannot be read signs nobody in).
#pragma once
#include <memory>

#include "preflight/store/store.hpp"
#include "preflight/web/sessions.hpp"

namespace preflight::daemon {

web::SessionBackend session_backend(std::shared_ptr<store::Store> store);

}  // namespace preflight::daemon
