#!/usr/bin/env bash
# Builds the Debian package with dpkg-buildpackage (debhelper, packaging/debian) into ./build-deb/:
#   build-deb/preflight_VERSION_amd64.deb   (VERSION: CMakeLists.txt's project version)
# The working tree's tracked and new (not ignored) files are staged in build-deb/preflight-VERSION/ with
# packaging/debian as debian/, so what is built is what is checked out, edits included, and
# dpkg-buildpackage writes its results into build-deb/ (its parent directory) instead of beside the
# repository. Then lintian checks the package (its overrides are in packaging/debian).
# Prints the path of the .deb as its last line.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(sed -n 's/^project(preflight VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
changelog=$(sed -n '1s/^preflight (\([^)]*\)).*/\1/p' packaging/debian/changelog)
if [ "$version" != "$changelog" ]; then
  echo "package: CMakeLists.txt says $version, packaging/debian/changelog says $changelog" >&2
  exit 1
fi
out=build-deb
stage="$out/preflight-$version"
rm -rf "$stage" "$out"/preflight_*
mkdir -p "$stage"
# (a tracked file deleted in the working tree is left out)
git ls-files -z --cached --others --exclude-standard -- . ':!tests/e2e/node_modules' |
  tar --null -T - --ignore-failed-read -cf - 2>/dev/null | tar -C "$stage" -xf -
cp -r packaging/debian "$stage/debian"
cp packaging/systemd/preflightd.service "$stage/debian/preflight.preflightd.service"
jobs=$(nproc)
(cd "$stage" && DEB_BUILD_OPTIONS="parallel=$jobs nocheck" nice dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1 || {
  tail -40 "$out/build.log" >&2
  echo "package: dpkg-buildpackage failed; the whole log is $out/build.log" >&2
  exit 1
}
deb="$out/preflight_${version}_amd64.deb"
lintian --fail-on error,warning --info "$deb" "$out/preflight_${version}_amd64.changes" >&2
echo "$PWD/$deb"
