#!/usr/bin/env bash
# The grant path against two baselines, in ONE run, alternating, on PostgreSQL:
#   grant     the real app (config.settings, every middleware, login, rules, history, journal)
#   baseline  the same settings and middleware stack, one INSERT (bench.settings_bench, /bench/baseline/)
#   bare      a bare Django project: no middleware, one INSERT into the same table (bench.bare)
# For each N in BENCH_COUNTERS, BENCH_ROUNDS rounds of grant -> baseline -> bare, so a change in the
# machine's load hits all three alike. The three gunicorns run side by side (idle ones use no CPU);
# the load average is written before every step.
#   bash bench/ab.sh
#   BENCH_COUNTERS="8" BENCH_ROUNDS=1 BENCH_MEASURE_SECONDS=10 bash bench/ab.sh
# Needs PostgreSQL at PG_ADMIN_URL (trust auth), gunicorn in the app's environment and locust
# (bench/requirements.txt) on the PATH or at BENCH_LOCUST.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY=${BENCH_PYTHON:-$ROOT/.venv/bin/python}
GUNICORN=${BENCH_GUNICORN:-$ROOT/.venv/bin/gunicorn}
LOCUST=${BENCH_LOCUST:-locust}
PG_ADMIN_URL=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432}
PG_DB=${BENCH_PG_DB:-recovery_bench_ab}
COUNTERS=${BENCH_COUNTERS:-"8 32"}
ROUNDS=${BENCH_ROUNDS:-2}
MEASURE=${BENCH_MEASURE_SECONDS:-15}
WORKERS=${BENCH_WORKERS:-4}
PORT=${BENCH_PORT:-8765}
OUT=${BENCH_OUT:-${TMPDIR:-/tmp}/recovery-bench/ab-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"

export DEBUG=false ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=false LOG_LEVEL=ERROR
export SECRET_KEY=${SECRET_KEY:-bench-$("$PY" -c 'import secrets; print(secrets.token_urlsafe(48))')}
export CONN_MAX_AGE=${CONN_MAX_AGE:-60}
export BENCH_MEASURE_SECONDS=$MEASURE PYTHONPATH=$ROOT
export PYTHONWARNINGS="ignore:No directory at"
export DATABASE_URL="$PG_ADMIN_URL/$PG_DB"

declare -A PIDS PORTS
PORTS=([grant]=$PORT [baseline]=$((PORT + 1)) [bare]=$((PORT + 2)))
stop_all() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop_all EXIT

start() {  # $1 = target, $2 = settings module, $3 = wsgi module
  if curl -s -o /dev/null "http://127.0.0.1:${PORTS[$1]}/"; then
    echo "port ${PORTS[$1]} is already taken by another server: set BENCH_PORT" >&2; exit 1
  fi
  DJANGO_SETTINGS_MODULE=$2 "$GUNICORN" "$3:application" --workers "$WORKERS" --worker-class sync \
    --bind "127.0.0.1:${PORTS[$1]}" --error-logfile "$OUT/gunicorn-$1.log" --log-level warning > /dev/null 2> "$OUT/app-$1.log" &
  PIDS[$1]=$!
  for _ in $(seq 1 150); do
    if curl -s -o /dev/null "http://127.0.0.1:${PORTS[$1]}/"; then return 0; fi
    sleep 0.1
  done
  echo "gunicorn for $1 did not start; see $OUT/gunicorn-$1.log" >&2; exit 1
}

echo "== fresh database $PG_DB, migrate, seed, prepare"
psql "$PG_ADMIN_URL/postgres" -q -c "SET client_min_messages = warning" \
  -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" -c "CREATE DATABASE $PG_DB"
DJANGO_SETTINGS_MODULE=bench.settings_bench "$PY" manage.py migrate -v 0
DJANGO_SETTINGS_MODULE=bench.settings_bench "$PY" manage.py seed_demo > "$OUT/seed.log"
DJANGO_SETTINGS_MODULE=bench.settings_bench "$PY" -m bench.prepare "$OUT/data.json"

start grant config.settings config.wsgi
start baseline bench.settings_bench config.wsgi
start bare bench.bare.settings bench.bare.wsgi
echo "commit $(git rev-parse --short HEAD), $(nproc) cores, workers=$WORKERS, measure=${MEASURE}s" > "$OUT/run.txt"

declare -A CLASSES=([grant]=GrantCounter [baseline]=BaselineCounter [bare]=BaselineCounter)
load_step() {  # $1 = target, $2 = N, $3 = step name, $4 = measured seconds
  BENCH_MEASURE_SECONDS=$4 BENCH_DATA="$OUT/data.json" BENCH_GUNICORN_PID="${PIDS[$1]}" \
  BENCH_CPU_OUT="$OUT/$3-cpu.json" BENCH_PG_DB="$PG_DB" "$LOCUST" -f bench/locustfile.py --headless -u "$2" -r "$2" \
    --run-time "$(($4 + 60))s" --host "http://127.0.0.1:${PORTS[$1]}" --csv "$OUT/$3" \
    --only-summary --loglevel WARNING "${CLASSES[$1]}" > "$OUT/$3.log" 2>&1 || true
}
# Warm-up, not reported: every worker's first requests import the views, build the URL resolver, load
# translations and (grant path) build the policy in force; without this the first round of each server
# pays for it (measured: 18.8 instead of 2.4 ms of CPU per request for the same-stack baseline).
for target in grant baseline bare; do
  echo "  warm-up $target ..."
  load_step "$target" 8 "warmup-$target" 5
done
for n in $COUNTERS; do
  for round in $(seq 1 "$ROUNDS"); do
    for target in grant baseline bare; do
      step="$target-$n-r$round"
      echo "$step $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/load.txt"
      echo "  $step (load $(cut -d' ' -f1 /proc/loadavg)) ..."
      load_step "$target" "$n" "$step" "$MEASURE"
    done
  done
done
stop_all
"$PY" bench/ab_report.py "$OUT" --counters "$COUNTERS" --rounds "$ROUNDS" | tee "$OUT/summary.md"
echo "Raw locust CSVs, CPU samples, load before each step: $OUT"
