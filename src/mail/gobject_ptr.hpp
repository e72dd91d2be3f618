// RAII for GObjects (GMime types): every GObject is owned by a GPtr the moment it is created.
#pragma once
#include <glib-object.h>

#include <memory>

namespace preflight::mail {

struct GObjectUnref {
  void operator()(void* p) const {
    if (p) g_object_unref(p);
  }
};

template <typename T>
using GPtr = std::unique_ptr<T, GObjectUnref>;

}  // namespace preflight::mail
