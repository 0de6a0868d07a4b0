#!/usr/bin/env bash
# Installs what Haze needs, idempotently, one line per step:
#   node packages (npm ci), a Python virtual environment (.venv) with PySpark and the
#   haze-worker package, the JVM function library (jvm/, Maven), class-data-sharing archives
#   for the workers' JVMs, the compiled master (dist/) and the web UI (dist/ui). Checks Java.
#   What only the tests need (brokers, Chromium) is installed by bin/test: scripts/brokers.sh,
#   scripts/browser.sh.
# Usage: scripts/setup.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# step, fail, fingerprint, stamp_ok
source "$ROOT/scripts/lib.sh"

# Two set-ups of one checkout at once (`bin/haze start` beside a test run) would both write
# node_modules, .venv and dist: the second waits for the first, then finds everything done.
exec 8>"$ROOT/.setup.lock"
if ! flock -n 8; then
  step "waiting for another set-up of this checkout to finish"
  flock 8
fi

# --- Node.js ---------------------------------------------------------------------------------
command -v node >/dev/null || fail "Node.js 20 or newer is needed (https://nodejs.org or apt-get install nodejs)"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
(( node_major >= 20 )) || fail "Node.js 20 or newer is needed; found $(node --version)"

node_fp="$(fingerprint package.json package-lock.json)"
if stamp_ok node_modules/.haze-stamp "$node_fp"; then
  step "node packages: up to date"
else
  step "node packages: installing (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error >&2
  echo "$node_fp" > node_modules/.haze-stamp
fi

# --- Java (spark-submit needs it) ------------------------------------------------------------
java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
if ! command -v "$java_bin" >/dev/null; then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    step "java: installing openjdk-17-jre-headless (apt)"
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >&2
  else
    fail "Java 17 or newer is needed by Spark; install it (apt-get install openjdk-17-jre-headless) or set JAVA_HOME"
  fi
fi
java_version="$("$java_bin" -version 2>&1 | head -n1)"
step "java: $java_version"

# --- Python virtual environment --------------------------------------------------------------
PYTHON="${HAZE_BOOTSTRAP_PYTHON:-python3}"
command -v "$PYTHON" >/dev/null || fail "Python 3.10 or newer is needed (apt-get install python3 python3-venv)"
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' ||
  fail "Python 3.10 or newer is needed; found $("$PYTHON" --version 2>&1)"
if [[ ! -x .venv/bin/python ]]; then
  step "python: creating .venv"
  "$PYTHON" -m venv .venv || fail "cannot create a virtual environment; install python3-venv"
fi
py_fp="$(fingerprint python-requirements.txt test-requirements.txt worker/pyproject.toml)"
if stamp_ok .venv/.haze-stamp "$py_fp"; then
  step "python: pyspark and haze-worker up to date"
else
  step "python: installing $(grep -v '^#' python-requirements.txt | xargs), haze-worker and the test tools (a first install downloads ~450 MB)"
  .venv/bin/python -m pip install --disable-pip-version-check -q --progress-bar off -r python-requirements.txt >&2


  .venv/bin/python -m pip install --disable-pip-version-check -q -e "./worker[test]" -r test-requirements.txt >&2
  echo "$py_fp" > .venv/.haze-stamp
fi

# --- The JVM function library (jvm/): Maven, compiled against the installed PySpark's own jars --
# jvm/pom.xml pins spark.version once; it must be the installed PySpark's.
pyspark_jars="$(.venv/bin/python -c 'import os, pyspark; print(os.path.join(os.path.dirname(pyspark.__file__), "jars"))')"
pyspark_version="$(.venv/bin/python -c 'import pyspark; print(pyspark.__version__)')"
pinned_spark="$(sed -n 's:.*<spark.version>\(.*\)</spark.version>.*:\1:p' jvm/pom.xml)"
[[ "$pyspark_version" == "$pinned_spark" ]] ||
  fail "jvm/pom.xml pins Spark $pinned_spark but the installed PySpark is $pyspark_version; set <spark.version> (and the jar versions beside it) to match"
jvm_fp="$( (echo "$pyspark_jars"; fingerprint $(find jvm -name target -prune -o -type f -print | LC_ALL=C sort)) | sha1sum | cut -d' ' -f1)"
if stamp_ok jvm/runtime/target/.haze-stamp "$jvm_fp" && [[ -f jvm/runtime/target/haze-jvm.jar ]]; then
  step "jvm: function library up to date"
else
  if ! command -v javac >/dev/null || ! command -v mvn >/dev/null; then
    can_apt || fail "building jvm/ needs a JDK 17 and Maven; install them (apt-get install openjdk-17-jdk-headless maven)"
    step "jvm: installing openjdk-17-jdk-headless and maven (apt)"
    apt_install openjdk-17-jdk-headless maven
  fi
  step "jvm: building the function library with Maven against PySpark $pyspark_version (a first build downloads Maven's plugins)"
  quietly "the JVM library did not build (mvn -f jvm/pom.xml package)" \
    mvn -B -q -f jvm/pom.xml -Dpyspark.jars="$pyspark_jars" package
  echo "$jvm_fp" > jvm/runtime/target/.haze-stamp
fi

# --- Class-data-sharing archives for a worker's two JVMs (src/workers/jvm-cds.ts) ------------
# One real spark-submit of scripts/cds-warmup.py dumps the classes Spark's launcher and driver
# load at start; workers then map them instead of reading them from the jars. Made again when
# the JDK, the PySpark jars or the warm-up change; a JVM that finds them not matching ignores them.
cds_dir=.venv/haze-cds
spark_home="$(dirname "$pyspark_jars")"
cds_fp="$( ("$java_bin" -version 2>&1; echo "$spark_home"; ls -l "$pyspark_jars"; cat scripts/cds-warmup.py) | sha1sum | cut -d' ' -f1)"
if stamp_ok "$cds_dir/.haze-stamp" "$cds_fp" && [[ -f "$cds_dir/launcher.jsa" && -f "$cds_dir/driver.jsa" ]]; then
  step "jvm start-up archives: up to date"
else
  step "jvm start-up archives: dumping the classes of one Spark start (spark-submit scripts/cds-warmup.py, ~20 s)"
  rm -rf "$cds_dir" && mkdir -p "$cds_dir"
  # Workers use the archives only once spark-home names this Spark: written last.
  quietly "the class-data-sharing warm-up failed (spark-submit scripts/cds-warmup.py)" \
    env SPARK_HOME="$spark_home" PYSPARK_PYTHON="$ROOT/.venv/bin/python" PYSPARK_DRIVER_PYTHON="$ROOT/.venv/bin/python" \
    SPARK_LAUNCHER_OPTS="-XX:ArchiveClassesAtExit=$ROOT/$cds_dir/launcher.jsa" \
    SPARK_SUBMIT_OPTS="-XX:ArchiveClassesAtExit=$ROOT/$cds_dir/driver.jsa" \
    "$spark_home/bin/spark-submit" --master 'local[1]' --conf spark.ui.showConsoleProgress=false scripts/cds-warmup.py
  [[ -f "$cds_dir/launcher.jsa" && -f "$cds_dir/driver.jsa" ]] ||
    fail "spark-submit ran scripts/cds-warmup.py but no archive was written to $cds_dir (is the JDK older than 13?)"
  echo "$spark_home" > "$cds_dir/spark-home"
  echo "$cds_fp" > "$cds_dir/.haze-stamp"
fi

# --- The master, compiled --------------------------------------------------------------------
if [[ -f dist/.build-stamp ]] && [[ -z "$(find src tsconfig.json tsconfig.build.json package.json -newer dist/.build-stamp -print -quit)" ]]; then
  step "master: build up to date"
else
  step "master: compiling TypeScript"
  npx --no-install tsc -p tsconfig.build.json >&2
  touch dist/.build-stamp
fi

# --- The web UI, built by Vite into dist/ui ----------------------------------------------------
# It also bundles the pure rules it shares with the master (src/domain).
ui_fp="$(fingerprint package-lock.json $(find ui src/domain -type f | LC_ALL=C sort))"
if stamp_ok dist/ui/.haze-stamp "$ui_fp" && [[ -f dist/ui/index.html ]]; then
  step "web UI: build up to date"
else
  step "web UI: building (vite)"
  npx --no-install vite build --config ui/vite.config.ts --logLevel warn >&2
  echo "$ui_fp" > dist/ui/.haze-stamp
fi
