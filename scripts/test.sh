#!/usr/bin/env bash
# Sets up, builds and runs every test: unit tests, miltertest, and the real-Postfix integration test.
# The integration tests start their own Postfix, SMTP sink and preflightd on loopback (needs root).
# Then the fuzz targets (docs/fuzzing.md): built with clang into ./build-fuzz, each run over its seeds.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
(cd build && ctest --output-on-failure)

launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPREFLIGHT_FUZZ=ON \
  "${launcher[@]}" >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target fuzz
(cd build-fuzz && ctest --output-on-failure -R fuzz_smoke)
