#!/usr/bin/env bash
# Sets up, builds and starts preflightd on the embedded default (config/preflight.yaml: milter on
# inet:8891@127.0.0.1, state in ./var, the shipped policy).
#
#   scripts/run.sh           preflightd in the foreground, for an MTA you point at 127.0.0.1:8891
#   scripts/run.sh --demo    instead: a private Postfix on 127.0.0.1:2525, its own preflightd, and a sink that keeps each mail
#                            as a file, so you can see it work without a mail server of your own
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
if [ "${1:-}" = "--demo" ]; then
  exec python3 scripts/demo.py build/src/bin/preflightd
fi
exec build/src/bin/preflightd --config config/preflight.yaml
