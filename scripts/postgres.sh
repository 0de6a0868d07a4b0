#!/usr/bin/env bash
# Installs the PostgreSQL server the tests start by themselves, idempotently: Debian's
# `postgresql` package (its binaries in /usr/lib/postgresql/<major>/bin). It starts no server:
# each test process runs its own, initialised in a temp dir on a free loopback port
# (test/helpers/postgres.ts), and the system cluster the package creates is stopped and disabled.
# Usage: scripts/postgres.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# step, fail, quietly, can_apt, apt_install
source "$ROOT/scripts/lib.sh"

# The newest installed major version's server binaries, if any.
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1; }

if [[ -n "$(pg_bin)" && -x "$(pg_bin)/postgres" && -x "$(pg_bin)/initdb" ]]; then
  step "postgresql: $("$(pg_bin)/postgres" --version)"
elif can_apt; then
  step "postgresql: installing postgresql (apt; a first install downloads ~50 MB)"
  apt_install postgresql
  # The package creates and starts a system cluster on port 5432. The tests never use it, and a
  # database nobody asked for should not keep running: the one this step installed is stopped.
  if [[ -d /run/systemd/system ]]; then
    systemctl disable --now postgresql.service >/dev/null 2>&1 ||
      step "postgresql: warning: could not disable the system service (systemctl disable --now postgresql)"
  elif [[ -x /etc/init.d/postgresql ]]; then
    { service postgresql stop && update-rc.d postgresql disable; } >/dev/null 2>&1 ||
      step "postgresql: warning: could not stop the system service (service postgresql stop)"
  fi
  [[ -n "$(pg_bin)" ]] || fail "apt installed postgresql but no server binaries are in /usr/lib/postgresql/*/bin"
  step "postgresql: $("$(pg_bin)/postgres" --version); its system service is stopped (tests start their own server)"
else
  fail "PostgreSQL is needed by the store tests; install it (as root: apt-get install postgresql)"
fi
