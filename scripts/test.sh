#!/usr/bin/env bash
# Sets up, builds and runs every test: unit tests, miltertest, and the real-Postfix integration test.
# The integration tests start their own Postfix, SMTP sink and preflightd on loopback (needs root).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
cd build
ctest --output-on-failure
