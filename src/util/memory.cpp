// The allocator; see memory.hpp.
#include "preflight/util/memory.hpp"

#include <malloc.h>

// mimalloc's API, present only in a program linked with it (weak: null otherwise).
extern "C" {
int mi_version(void) __attribute__((weak));
void mi_collect(bool force) __attribute__((weak));
bool mi_is_in_heap_region(const void* p) __attribute__((weak));
}

namespace preflight::util {

namespace {
bool mimalloc() { return mi_version != nullptr; }
}  // namespace

// Under glibc, large blocks (decoded attachments, the parsed message) are mmapped and handed back to the
// system as soon as they are freed: a fixed threshold stops glibc from raising it after the first large
// free, which would put the next ones into the arenas of the worker threads.
void prepare_allocator() {
  constexpr int kLargeBlock = 1024 * 1024;
  if (!mimalloc()) mallopt(M_MMAP_THRESHOLD, kLargeBlock);
}

// glibc keeps the freed memory of a large message in its arenas; malloc_trim returns the free pages of
// every arena to the system. mimalloc's collect does the same for its heaps.
void release_free_memory() {
  if (mimalloc())
    mi_collect(true);
  else
    malloc_trim(0);
}

std::string allocator_name() {
  if (!mimalloc()) return "glibc malloc";
  const int v = mi_version();  // e.g. 209 for 2.0.9
  return "mimalloc " + std::to_string(v / 100) + "." + std::to_string(v / 10 % 10) + "." + std::to_string(v % 10);
}

bool allocated_here(const void* p) { return !mimalloc() || mi_is_in_heap_region(p); }

}  // namespace preflight::util
