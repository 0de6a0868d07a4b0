#!/usr/bin/env bash
# Installs the message brokers the test suite starts by itself, idempotently, one line per step:
#   Mosquitto (MQTT) from Debian, and the jars of an Apache Kafka broker (KRaft) from Maven
#   Central into .brokers/kafka/libs. It starts no broker: the tests run their own, each on free
#   loopback ports with its own config and data dir (test/helpers/mosquitto.ts, test/helpers/kafka.ts).
# Usage: scripts/brokers.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# step, fail, fingerprint, stamp_ok, quietly, can_apt, apt_install
source "$ROOT/scripts/lib.sh"
# Debian puts mosquitto in /usr/sbin, which is not on every user's PATH.
have_mosquitto() { command -v mosquitto >/dev/null || [[ -x /usr/sbin/mosquitto ]]; }

# --- Mosquitto (MQTT) ------------------------------------------------------------------------
if have_mosquitto; then
  step "mosquitto: $({ mosquitto -h 2>/dev/null || /usr/sbin/mosquitto -h 2>/dev/null || true; } | head -n1)"
elif can_apt; then
  step "mosquitto: installing mosquitto (apt)"
  apt_install mosquitto
  # The package enables and starts a system broker on port 1883. The tests never use it (they
  # start their own on free ports), and a broker nobody asked for should not keep running, so
  # the one this step installed is stopped and disabled. A mosquitto installed before is left alone.
  if [[ -d /run/systemd/system ]]; then
    systemctl disable --now mosquitto.service >/dev/null 2>&1 ||
      step "mosquitto: warning: could not disable the system service (systemctl disable --now mosquitto)"
  elif [[ -x /etc/init.d/mosquitto ]]; then
    # Without a running systemd (containers); update-rc.d also disables the systemd unit.
    { service mosquitto stop && update-rc.d mosquitto disable; } >/dev/null 2>&1 ||
      step "mosquitto: warning: could not stop the system service (service mosquitto stop)"
  fi
  step "mosquitto: installed; its system service is disabled (tests start their own broker)"
else
  fail "mosquitto is needed by the MQTT tests; install it (as root: apt-get install mosquitto) and put it on PATH"
fi

# --- Apache Kafka (broker jars from Maven Central) -------------------------------------------
KAFKA_POM=scripts/kafka/pom.xml
KAFKA_DIR=.brokers/kafka
kafka_version="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$KAFKA_POM")"
kafka_fp="$(fingerprint "$KAFKA_POM")"
if stamp_ok "$KAFKA_DIR/.haze-stamp" "$kafka_fp" && [[ -d "$KAFKA_DIR/libs" ]]; then
  step "kafka: $kafka_version jars up to date"
else
  java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
  command -v "$java_bin" >/dev/null ||
    fail "Java 17 or newer is needed by Kafka; run scripts/setup.sh, or install openjdk-17-jre-headless, or set JAVA_HOME"
  if ! command -v mvn >/dev/null; then
    can_apt || fail "Maven (mvn) is needed to fetch the Kafka jars; install it (apt-get install maven)"
    step "kafka: installing maven (apt)"
    apt_install maven
  fi
  step "kafka: fetching Apache Kafka $kafka_version broker jars with Maven (a first install downloads ~65 MB into ~/.m2)"
  rm -rf "$KAFKA_DIR/libs.new"
  mkdir -p "$KAFKA_DIR"
  # Into a fresh folder, swapped in whole, so an interrupted fetch never leaves a half set of jars
  # and an older version's jars never stay on the classpath.
  quietly "could not fetch the Kafka jars with Maven; Maven Central must be reachable" \
    mvn -B -f "$KAFKA_POM" dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$ROOT/$KAFKA_DIR/libs.new"
  rm -rf "$KAFKA_DIR/libs"
  mv "$KAFKA_DIR/libs.new" "$KAFKA_DIR/libs"
  echo "$kafka_fp" > "$KAFKA_DIR/.haze-stamp"
  step "kafka: $kafka_version jars in $KAFKA_DIR/libs ($(du -sh "$KAFKA_DIR/libs" | cut -f1))"
fi
