#!/usr/bin/env bash
# Print the path of a Chromium for the browser tests, installing one if none is found:
# PLAYWRIGHT_CHROMIUM_EXECUTABLE, then /usr/bin/chromium, then Debian's package when
# root, else Playwright's own download. Progress goes to stderr; only the path to stdout.
set -euo pipefail

if [ -n "${PLAYWRIGHT_CHROMIUM_EXECUTABLE:-}" ] && [ -x "$PLAYWRIGHT_CHROMIUM_EXECUTABLE" ]; then
  echo "$PLAYWRIGHT_CHROMIUM_EXECUTABLE"; exit 0
fi
if [ -x /usr/bin/chromium ]; then
  echo /usr/bin/chromium; exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium for the browser tests..." >&2
  export DEBIAN_FRONTEND=noninteractive
  log="$(mktemp)"
  if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium; } >"$log" 2>&1; then
    cat "$log" >&2; exit 1
  fi
  rm -f "$log"
  echo /usr/bin/chromium; exit 0
fi
echo "Installing Playwright's chromium for the browser tests..." >&2
.venv/bin/python -m playwright install chromium >&2
# An empty path tells the tests to use Playwright's own browser.
echo ""
