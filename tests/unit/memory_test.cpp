#include <doctest/doctest.h>
#include <glib.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "preflight/util/memory.hpp"

using namespace preflight;

// mimalloc replaces malloc only when the link puts it before libc; a change to the link order would
// silently bring glibc's allocator back.
TEST_CASE("the allocator the build chose serves malloc, operator new and GLib") {
#ifdef PREFLIGHT_MIMALLOC
  CHECK(util::allocator_name().rfind("mimalloc 2.", 0) == 0);
#else
  CHECK(util::allocator_name() == "glibc malloc");
#endif
  void* m = std::malloc(100);
  auto n = std::make_unique<char[]>(100);
  gpointer g = g_malloc(100);
  void* big = std::malloc(40 * 1024 * 1024);  // a decoded attachment of a large mail
  CHECK(util::allocated_here(m));
  CHECK(util::allocated_here(n.get()));
  CHECK(util::allocated_here(g));
  CHECK(util::allocated_here(big));
  std::free(big);
  g_free(g);
  std::free(m);
  util::release_free_memory();
}
