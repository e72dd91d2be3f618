#!/usr/bin/env bash
# Installs every Debian package that building, testing and running preflight needs.
# Idempotent: packages already present are left alone. Runs as root (or through sudo).
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config
  libmilter-dev libgmime-3.0-dev libglib2.0-dev libyaml-cpp-dev libspdlog-dev libfmt-dev
  libpsl-dev publicsuffix libidn2-dev libsqlite3-dev
  doctest-dev
  nlohmann-json3-dev libcpp-httplib-dev libssl-dev libhyperscan-dev zlib1g-dev liblzma-dev
  postfix miltertest swaks python3
  zip p7zip-full qpdf gzip python3-openpyxl python3-docx python3-xlwt
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
# Postfix must not ask questions nor configure a system mail server: preflight runs its own instances.
echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
