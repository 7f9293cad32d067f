#!/usr/bin/env bash
# Grant-path benchmark: the real app under gunicorn vs a bare Django INSERT view,
# on PostgreSQL and on SQLite, for N = 1, 8, 32 simulated counters.
#   bash bench/run.sh                      # everything, about 4 minutes
#   BENCH_BACKENDS=pg BENCH_COUNTERS="8" BENCH_MEASURE_SECONDS=10 bash bench/run.sh   # quicker subsets
#   BENCH_LARGE=1 bash bench/run.sh        # then the review pages on a million grants (bench/pages.sh)
# Needs: PostgreSQL at PG_ADMIN_URL (trust auth); installs the app and bench/requirements.txt into .venv.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
if [[ -z "${VIRTUAL_ENV:-}" ]]; then
  [[ -f .venv/bin/activate ]] || python3 -m venv .venv
  source .venv/bin/activate
fi
pip install -q -r requirements.txt -r bench/requirements.txt

PG_ADMIN_URL=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432}
PG_DB=${BENCH_PG_DB:-recovery_bench}
BACKENDS=${BENCH_BACKENDS:-"pg sqlite"}
COUNTERS=${BENCH_COUNTERS:-"1 8 32"}
MEASURE=${BENCH_MEASURE_SECONDS:-15}
WORKERS=${BENCH_WORKERS:-4}
PORT=${BENCH_PORT:-8765}
OUT=${BENCH_OUT:-${TMPDIR:-/tmp}/recovery-bench/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"

export DEBUG=false ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=false LOG_LEVEL=ERROR
export SECRET_KEY=${SECRET_KEY:-bench-$(python -c 'import secrets; print(secrets.token_urlsafe(48))')}
export CONN_MAX_AGE=${CONN_MAX_AGE:-60}
export BENCH_MEASURE_SECONDS=$MEASURE PYTHONPATH=$ROOT
# No collectstatic needed: the measured requests render no static URLs; silence whitenoise about it.
export PYTHONWARNINGS="ignore:No directory at"

GUNICORN_PID=""
stop_gunicorn() {
  if [[ -n "$GUNICORN_PID" ]] && kill -0 "$GUNICORN_PID" 2>/dev/null; then
    kill -TERM "$GUNICORN_PID"; wait "$GUNICORN_PID" 2>/dev/null || true
  fi
  GUNICORN_PID=""
}
trap stop_gunicorn EXIT

start_gunicorn() {  # $1 = settings module
  DJANGO_SETTINGS_MODULE=$1 gunicorn config.wsgi:application --workers "$WORKERS" --worker-class sync \
    --bind "127.0.0.1:$PORT" --access-logfile - --error-logfile "$OUT/gunicorn.log" --log-level warning \
    > /dev/null &
  GUNICORN_PID=$!
  for _ in $(seq 1 100); do
    if curl -s -o /dev/null "http://127.0.0.1:$PORT/login/"; then return 0; fi
    sleep 0.1
  done
  echo "gunicorn did not start; see $OUT/gunicorn.log" >&2; exit 1
}

busy_check() {  # other CPU users on a 2-core machine skew every figure: say so in the output
  local load; load=$(cut -d' ' -f1 /proc/loadavg)
  echo "$(date +%T) $1 load average (1 min) before: $load" >> "$OUT/machine-load.txt"
  ps -eo pcpu,etime,args --sort=-pcpu | grep -v -e gunicorn -e locust -e ' ps ' | sed -n 2,4p >> "$OUT/machine-load.txt"
}

run_load() {  # $1 = backend, $2 = grant|baseline, $3 = user class
  for n in $COUNTERS; do
    busy_check "$1 $2 N=$n"
    echo "  $1 $2 N=$n ..."
    BENCH_DATA="$OUT/$1-data.json" BENCH_GUNICORN_PID="$GUNICORN_PID" BENCH_CPU_OUT="$OUT/$1-$2-$n-cpu.json" \
    BENCH_PG_DB="$([[ $1 == pg ]] && echo "$PG_DB" || true)" locust -f bench/locustfile.py --headless -u "$n" -r "$n" \
      --run-time "$((MEASURE + 60))s" --host "http://127.0.0.1:$PORT" --csv "$OUT/$1-$2-$n" \
      --only-summary --loglevel WARNING "$3" > "$OUT/$1-$2-$n.log" 2>&1 || true
  done
}

for backend in $BACKENDS; do
  echo "== $backend: fresh database, migrate, seed"
  if [[ $backend == pg ]]; then
    psql "$PG_ADMIN_URL/postgres" -q -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" -c "CREATE DATABASE $PG_DB"
    export DATABASE_URL="$PG_ADMIN_URL/$PG_DB"
  else
    rm -f "$OUT/bench.sqlite3"*
    export DATABASE_URL="sqlite:///$OUT/bench.sqlite3"
  fi
  DJANGO_SETTINGS_MODULE=bench.settings_bench python manage.py migrate -v 0
  DJANGO_SETTINGS_MODULE=bench.settings_bench python manage.py seed_demo > "$OUT/$backend-seed.log"
  DJANGO_SETTINGS_MODULE=bench.settings_bench python -m bench.prepare "$OUT/$backend-data.json"

  echo "== $backend: grant path (config.settings, the real app)"
  start_gunicorn config.settings
  run_load "$backend" grant GrantCounter
  stop_gunicorn
  echo "== $backend: baseline (bench.settings_bench, one INSERT)"
  start_gunicorn bench.settings_bench
  run_load "$backend" baseline BaselineCounter
  stop_gunicorn
done

python bench/report.py "$OUT" --backends "$BACKENDS" --counters "$COUNTERS" | tee "$OUT/summary.md"
if [[ "${BENCH_LARGE:-0}" == 1 ]]; then
  echo "== pages on a million grants (bench/pages.sh)"
  BENCH_OUT="$OUT" bash bench/pages.sh
fi
echo
echo "Load on the machine before each load step (should stay near 0 apart from the benchmark): $OUT/machine-load.txt"
awk '/load average/ {print "  " $0}' "$OUT/machine-load.txt"
echo "Raw locust CSVs and logs: $OUT"
