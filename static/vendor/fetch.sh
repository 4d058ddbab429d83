#!/usr/bin/env bash
# Refresh the vendored front-end libraries in static/vendor/ from the npm registry.
#
#   bash static/vendor/fetch.sh             # (what `make vendor` runs) fetch the pinned versions
#   bash static/vendor/fetch.sh --outdated  # only show the newest versions within each pin's range
#
# Only built files and licences are kept: no node_modules, no source maps. To move a pin,
# edit the constants below, run this script, update README.md's table and commit the result.
set -euo pipefail

HTMX_VERSION="2.0.11"            # htmx.org: stay on 2.0.x (4.x is a different API)
SOCKETIO_VERSION="4.8.4"         # socket.io-client: 4.x, must speak to python-socketio's protocol 5
GOVUK_FRONTEND_VERSION="6.3.0"   # govuk-frontend: exactly the version govuk-frontend-jinja 4.1.0 targets
AXE_VERSION="4.14.1"             # axe-core: 4.x, only loaded by the browser tests

VENDOR_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
NPM=(npm --loglevel=error --no-fund --no-audit)

if [ "${1:-}" = "--outdated" ]; then
  for spec in "htmx.org@~2.0 $HTMX_VERSION" "socket.io-client@4 $SOCKETIO_VERSION" \
    "govuk-frontend@6.3.0 $GOVUK_FRONTEND_VERSION" "axe-core@4 $AXE_VERSION"; do
    set -- $spec
    latest="$("${NPM[@]}" view "$1" version --json | tr -d '[]" \n' | tr ',' '\n' | sort -V | tail -1)"
    echo "$1: pinned $2, newest in range $latest"
  done
  exit 0
fi

command -v npm >/dev/null || { echo "fetch.sh: npm is needed (apt-get install npm)" >&2; exit 1; }

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# unpack NAME VERSION -> prints the directory holding the package's files.
# `npm pack` downloads the registry tarball and checks it against the registry's integrity hash.
unpack() {
  local name="$1" version="$2" tarball dir
  tarball="$(cd "$TMP" && "${NPM[@]}" pack --silent "$name@$version" | tail -1)"
  dir="$TMP/$name-$version"
  mkdir -p "$dir"
  tar -xzf "$TMP/$tarball" -C "$dir"
  echo "$dir/package"
}

# fresh NAME: empty static/vendor/NAME so files dropped upstream do not linger.
fresh() {
  rm -rf "${VENDOR_DIR:?}/$1"
  mkdir -p "$VENDOR_DIR/$1"
}

echo "htmx.org $HTMX_VERSION"
src="$(unpack htmx.org "$HTMX_VERSION")"
fresh htmx
cp "$src/dist/htmx.min.js" "$src/LICENSE" "$VENDOR_DIR/htmx/"

echo "socket.io-client $SOCKETIO_VERSION"
src="$(unpack socket.io-client "$SOCKETIO_VERSION")"
fresh socket.io
# The UMD build: a classic script that defines the global `io`.
cp "$src/dist/socket.io.min.js" "$src/LICENSE" "$VENDOR_DIR/socket.io/"

echo "axe-core $AXE_VERSION"
src="$(unpack axe-core "$AXE_VERSION")"
fresh axe-core
cp "$src/axe.min.js" "$src/LICENSE" "$src/LICENSE-3RD-PARTY.txt" "$VENDOR_DIR/axe-core/"

echo "govuk-frontend $GOVUK_FRONTEND_VERSION"
src="$(unpack govuk-frontend "$GOVUK_FRONTEND_VERSION")/dist/govuk"
dest="$VENDOR_DIR/govuk-frontend"
fresh govuk-frontend
cp "$src/govuk-frontend.min.js" "$dest/"
mkdir -p "$dest/assets"
cp "$src/assets/manifest.json" "$dest/assets/"
cp -R "$src/assets/images" "$dest/assets/"
# The precompiled CSS is built with $govuk-assets-path "/assets/", i.e. absolute URLs that
# only work if the app serves the assets at the site root. Make them relative so they resolve
# next to this file wherever static/ is mounted. Also drop the two @font-face rules: the
# GDS Transport font is only for services on GOV.UK, this app is not one (static/css/app.css
# sets a system font on everything), so the fonts are not vendored. The source map comment
# goes too, as the map is not kept and would no longer match the edited file.
sed -E \
  -e 's#@font-face\{font-family:GDS Transport;[^}]*\}##g' \
  -e 's#url\(/assets/#url(assets/#g' \
  -e 's#/\*\# sourceMappingURL=[^*]*\*/##g' \
  "$src/govuk-frontend.min.css" >"$dest/govuk-frontend.min.css"
# The npm package ships no licence file; package.json says MIT. This is the upstream repo's
# LICENSE.txt, verbatim.
cat >"$dest/LICENSE" <<'EOF'
The MIT License (MIT)

Copyright (C) 2017 Crown Copyright (Government Digital Service)

Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies
of the Software, and to permit persons to whom the Software is furnished to do
so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
EOF

# Every url(...) left in the CSS must name a file that is now beside it.
missing=0
while IFS= read -r ref; do
  if [ ! -f "$dest/$ref" ]; then
    echo "fetch.sh: govuk-frontend.min.css refers to missing $ref" >&2
    missing=1
  fi
done < <(grep -oE 'url\([^)]*\)' "$dest/govuk-frontend.min.css" |
  sed -E 's/^url\(["'\'']?//; s/["'\'']?\)$//' | grep -vE '^(data:|#)' | sort -u)
if grep -q 'GDS Transport;' "$dest/govuk-frontend.min.css" || [ "$missing" -ne 0 ]; then
  echo "fetch.sh: the govuk-frontend CSS edits no longer apply; check the new dist layout" >&2
  exit 1
fi

du -sh "$VENDOR_DIR" | sed 's/\t.*//; s/^/static\/vendor: /'
