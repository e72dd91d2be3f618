#!/usr/bin/env bash
# Runs tests/milter/preflight.lua with miltertest against a preflightd started by miltertest itself.
# Usage: run_miltertest.sh BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-build}" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

cat > "$work/policy.yaml" <<'YAML'
organisation:
  internal_domains: [example.co.jp]
rules:
  - id: visible-external-to-bcc
    when: "recipients.visible_external >= 3"
    action: bcc
  - id: reject-secret
    when: 'message.subject contains "TOP-SECRET"'
    action: {type: reject, message: "Subject marked TOP-SECRET may not leave"}
YAML
cat > "$work/preflight.yaml" <<YAML
roles: [milter]
milter: {socket: "inet:$port@127.0.0.1", learn_daemons: [inbound]}
state_dir: $work/state
policies: [$work/policy.yaml]
log: {level: info, file: $work/preflightd.log}
YAML

export PREFLIGHTD="$build/src/bin/preflightd" PREFLIGHT_CONFIG="$work/preflight.yaml"
export MILTER_SOCKET="inet:$port@127.0.0.1"
if ! miltertest -s "$here/preflight.lua"; then
  echo "--- preflightd log"; cat "$work/preflightd.log" 2>/dev/null || true
  exit 1
fi
