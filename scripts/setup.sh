#!/usr/bin/env bash
# Installs every Debian package that building, testing and running preflight needs, and the npm packages
# of the browser tests (tests/e2e/node_modules, from tests/e2e/package-lock.json; Chromium itself is
# Debian's, never downloaded). Idempotent: what is already present is left alone. Runs as root (or sudo).
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config
  clang-14 libclang-rt-14-dev
  libmilter-dev libgmime-3.0-dev libglib2.0-dev libyaml-cpp-dev libspdlog-dev libfmt-dev
  libpsl-dev publicsuffix libidn2-dev libsqlite3-dev libmimalloc-dev
  doctest-dev
  nlohmann-json3-dev libcpp-httplib-dev libssl-dev libhyperscan-dev zlib1g-dev liblzma-dev
  postfix miltertest swaks python3
  zip p7zip-full qpdf gzip python3-openpyxl python3-docx python3-xlwt
  chromium fonts-ipafont-gothic nodejs npm
  m4 libwrap0 libdb5.3 libldap-2.5-0 libnsl2 libsasl2-2
  libsystemd-dev debhelper lintian systemd prometheus
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

# node and npm may come from elsewhere (NodeSource, nvm): only ask Debian for them when there are none.
if command -v node >/dev/null && command -v npm >/dev/null; then
  keep=()
  for p in "${missing[@]}"; do [ "$p" = nodejs ] || [ "$p" = npm ] || keep+=("$p"); done
  missing=("${keep[@]}")
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all packages present"
else
  echo "setup: installing ${missing[*]}"
  # Postfix must not ask questions nor configure a system mail server: preflight runs its own instances.
  echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi

# Sendmail for tests/integration/test_sendmail.py: sendmail-bin conflicts with Postfix, so its packages are
# unpacked into a private root (/var/cache/preflight-test/sendmail), never installed; m4 and the shared
# libraries above are what its binary and sendmail-cf need.
python3 "$(dirname "$0")/sendmaillab.py" --fetch

# playwright-core drives the system's Chromium; it has no install step that downloads a browser.
e2e="$(dirname "$0")/../tests/e2e"
# Installed again when the lock file changed since the last install.
if [ ! -d "$e2e/node_modules/playwright-core" ] || [ "$e2e/package-lock.json" -nt "$e2e/node_modules/.package-lock.json" ]; then
  echo "setup: npm ci in tests/e2e"
  (cd "$e2e" && npm ci --no-audit --no-fund)
fi
