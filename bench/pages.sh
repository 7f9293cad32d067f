#!/usr/bin/env bash
# The review pages on a million grants: generate them once into a dedicated PostgreSQL database
# (kept and reused by later runs), then time the pages with bench/pages.py.
#   bash bench/pages.sh                                    # 1,000,000 grants; about 10 min the first time
#   BENCH_PAGES_COUNT=100000 BENCH_PAGES_RUNS=10 bash bench/pages.sh
#   BENCH_PAGES_ARGS=--explain bash bench/pages.sh         # also EXPLAIN ANALYZE the slowest query of each page
# Also run by `BENCH_LARGE=1 bash bench/run.sh`. Needs PostgreSQL at PG_ADMIN_URL (trust auth).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
if [[ -z "${VIRTUAL_ENV:-}" ]]; then
  [[ -f .venv/bin/activate ]] || python3 -m venv .venv
  source .venv/bin/activate
fi
pip install -q -r requirements.txt -r bench/requirements.txt

PG_ADMIN_URL=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432}
DB=${BENCH_PAGES_DB:-recovery_pages}
COUNT=${BENCH_PAGES_COUNT:-1000000}
OUT=${BENCH_OUT:-${TMPDIR:-/tmp}/recovery-bench/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
export DATABASE_URL="$PG_ADMIN_URL/$DB" PYTHONPATH=$ROOT
export DEBUG=false ALLOWED_HOSTS=testserver SECURE_SSL_REDIRECT=false LOG_LEVEL=ERROR
export SECRET_KEY=${SECRET_KEY:-bench-$(python -c 'import secrets; print(secrets.token_urlsafe(48))')}
export PYTHONWARNINGS="ignore:No directory at"

if ! psql "$PG_ADMIN_URL/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
  psql "$PG_ADMIN_URL/postgres" -q -c "CREATE DATABASE $DB"
fi
python manage.py migrate -v 0
have=$(DJANGO_SETTINGS_MODULE=config.settings python -c \
  "import django; django.setup(); from bench.synthetic import generated_grant_count as n; print(n())")
if (( have < COUNT * 99 / 100 )); then
  echo "== $DB has $have generated grants: generating $((COUNT - have)) more (progress below)"
  if (( have == 0 )); then
    python manage.py generate_grants --count "$COUNT" | tee "$OUT/generate.log"
  else
    python manage.py generate_grants --count "$((COUNT - have))" --append | tee "$OUT/generate.log"
  fi
  psql "$DATABASE_URL" -q -c "VACUUM ANALYZE"
else
  echo "== $DB already has $have generated grants: reused"
fi
echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
python -m bench.pages --runs "${BENCH_PAGES_RUNS:-20}" ${BENCH_PAGES_ARGS:-} | tee "$OUT/pages.md"
echo "Output: $OUT/pages.md"
