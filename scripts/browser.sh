#!/usr/bin/env bash
# Installs the browser the UI tests drive, idempotently: Debian's Chromium (/usr/bin/chromium),
# driven by playwright-core (never a browser downloaded by a test tool).
# Usage: scripts/browser.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# step, fail, quietly, can_apt, apt_install
source "$ROOT/scripts/lib.sh"

if [[ -x /usr/bin/chromium ]]; then
  step "chromium: $(/usr/bin/chromium --version 2>/dev/null | head -n1)"
elif can_apt; then
  step "chromium: installing chromium (apt; a first install downloads ~100 MB)"
  apt_install chromium
  step "chromium: $(/usr/bin/chromium --version 2>/dev/null | head -n1)"
else
  fail "Chromium is needed by the UI tests; install it (as root: apt-get install chromium) at /usr/bin/chromium"
fi
