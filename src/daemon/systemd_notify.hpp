// Tells systemd (Type=notify) what preflightd is doing: READY once the milter listens, RELOADING around a
// SIGHUP reload, STOPPING on SIGTERM, and WATCHDOG pings while the signal loop runs. Without systemd
// (NOTIFY_SOCKET unset) every call does nothing. Internal to the daemon module.
#pragma once
#include <cstdint>
#include <string>

namespace preflight::daemon::notify {

void ready();
void reloading();
void stopping();
void status(const std::string& text);
// Microseconds between the pings systemd expects (WatchdogSec=); 0 when it expects none.
std::uint64_t watchdog_usec();
void watchdog();

}  // namespace preflight::daemon::notify
