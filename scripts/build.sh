#!/usr/bin/env bash
# Configures and builds preflight into ./build (Release with debug info). Used by run.sh and test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
# ccache, when installed, makes rebuilds of unchanged sources cheap; the build does not need it.
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" >/dev/null
cmake --build build -j"$(nproc)"
