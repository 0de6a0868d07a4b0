# Shared by the installers (setup.sh, brokers.sh): progress lines, errors, and stamp files.
# Sourced, never run.
step() { printf 'haze setup: %s\n' "$*" >&2; }
fail() { printf 'haze setup: error: %s\n' "$*" >&2; exit 1; }
# A stamp file records the hash of what a step was last done for; the step reruns when it changes.
fingerprint() { cat "$@" 2>/dev/null | sha1sum | cut -d' ' -f1; }
stamp_ok() { [[ -f "$1" && "$(cat "$1")" == "$2" ]]; }
