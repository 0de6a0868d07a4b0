# Shared by the installers (setup.sh, brokers.sh, browser.sh): progress lines, errors, stamp files, apt.
# Sourced, never run.
step() { printf 'haze setup: %s\n' "$*" >&2; }
fail() { printf 'haze setup: error: %s\n' "$*" >&2; exit 1; }
# A stamp file records the hash of what a step was last done for; the step reruns when it changes.
fingerprint() { cat "$@" 2>/dev/null | sha1sum | cut -d' ' -f1; }
stamp_ok() { [[ -f "$1" && "$(cat "$1")" == "$2" ]]; }
can_apt() { [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; }
# Runs a chatty command (apt, mvn) with its output in a log, shown only when it fails.
quietly() { # quietly <what failed, what to do> <command>...
  local what="$1" log status=0
  shift
  log="$(mktemp)"
  "$@" >"$log" 2>&1 || status=$?
  if (( status != 0 )); then
    tail -n 40 "$log" >&2
    rm -f "$log"
    fail "$what (exit code $status; its last output is above)"
  fi
  rm -f "$log"
}
apt_install() { # apt_install <package>...
  quietly "apt-get update failed" apt-get update -qq
  quietly "apt-get install $* failed" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}
