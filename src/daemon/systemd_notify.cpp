// sd_notify(3) wrappers; see systemd_notify.hpp.
#include "systemd_notify.hpp"

#include <systemd/sd-daemon.h>

namespace preflight::daemon::notify {

void ready() { sd_notify(0, "READY=1\nSTATUS=filtering mail"); }

void reloading() { sd_notify(0, "RELOADING=1\nSTATUS=reloading the policy"); }

void stopping() { sd_notify(0, "STOPPING=1\nSTATUS=stopping"); }

void status(const std::string& text) { sd_notify(0, ("STATUS=" + text).c_str()); }

std::uint64_t watchdog_usec() {
  std::uint64_t usec = 0;
  return sd_watchdog_enabled(0, &usec) > 0 ? usec : 0;
}

void watchdog() { sd_notify(0, "WATCHDOG=1"); }

}  // namespace preflight::daemon::notify
