// The memory allocator of a program. A program opts in to mimalloc at link time (CMake:
// preflight_link_mimalloc, option PREFLIGHT_MIMALLOC; Debian's libmimalloc2.0): it then replaces malloc for
// the whole process, GLib, GMime and SQLite included. preflightctl does (the replay benchmark spent about
// an eighth less CPU, docs/benchmarks.md); preflightd keeps glibc's malloc: through Postfix, ten 34 MiB
// mails peaked at 4.2x the mail with mimalloc and at 2.8x with glibc.
// These functions ask at run time which allocator serves the process.
#pragma once
#include <string>

namespace preflight::util {

// Called once at start-up by a program that handles large messages.
void prepare_allocator();
// Gives the free memory the allocator still holds back to the system; called after a large message.
void release_free_memory();
// "mimalloc 2.0.9" or "glibc malloc": what serves malloc in this process.
std::string allocator_name();
// True when p (a pointer malloc returned) belongs to the allocator named by allocator_name().
bool allocated_here(const void* p);

}  // namespace preflight::util
