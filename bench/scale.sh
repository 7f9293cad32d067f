#!/usr/bin/env bash
# The grant's cost and the review pages at one location's scale (issue 20): 100k grants, then grown to
# BENCH_SCALE_TOP (default 1,000,000), both kept as PostgreSQL databases rd_scale and rd_scale_top.
#   bash bench/scale.sh                      # generate (once; reused later) and measure both
#   BENCH_SCALE_TOP=300000 bash bench/scale.sh
#   BENCH_SCALE_ARGS="--runs 5 --grants 100" bash bench/scale.sh
# Generating runs the services' bulk writer at ~170-500 grants/s on these shared cores: 100k takes
# 4-10 minutes, a million 1-1.5 hours. Output: $BENCH_OUT/scale-<count>.md (EXPLAIN included).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY=${PYTHON:-.venv/bin/python}
PG_ADMIN_URL=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432}
TOP=${BENCH_SCALE_TOP:-1000000}
OUT=${BENCH_OUT:-${TMPDIR:-/tmp}/recovery-bench/scale-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
export PYTHONPATH=$ROOT DEBUG=false ALLOWED_HOSTS=testserver SECURE_SSL_REDIRECT=false LOG_LEVEL=ERROR
export SECRET_KEY=${SECRET_KEY:-bench-$($PY -c 'import secrets; print(secrets.token_urlsafe(48))')}
export PYTHONWARNINGS="ignore:No directory at"
GEN=(--locations 1 --employees 16 --customers 20000)

exists() { psql "$PG_ADMIN_URL/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$1'" | grep -q 1; }
count() { DATABASE_URL="$PG_ADMIN_URL/$1" DJANGO_SETTINGS_MODULE=config.settings $PY -c \
  "import django; django.setup(); from bench.synthetic import generated_grant_count as n; print(n())"; }

if ! exists rd_scale; then
  psql "$PG_ADMIN_URL/postgres" -q -c "CREATE DATABASE rd_scale"
  DATABASE_URL="$PG_ADMIN_URL/rd_scale" $PY manage.py migrate -v 0
  DATABASE_URL="$PG_ADMIN_URL/rd_scale" $PY manage.py generate_grants --count 100000 "${GEN[@]}" | tee "$OUT/generate-100k.log"
  psql "$PG_ADMIN_URL/rd_scale" -q -c "VACUUM ANALYZE"
fi
if ! exists rd_scale_top; then
  psql "$PG_ADMIN_URL/postgres" -q -c "CREATE DATABASE rd_scale_top TEMPLATE rd_scale"
fi
DATABASE_URL="$PG_ADMIN_URL/rd_scale_top" $PY manage.py migrate -v 0
have=$(count rd_scale_top)
if (( have < TOP * 99 / 100 )); then
  DATABASE_URL="$PG_ADMIN_URL/rd_scale_top" $PY manage.py generate_grants --count $((TOP - have)) --append "${GEN[@]}" \
    | tee "$OUT/generate-top.log"
  psql "$PG_ADMIN_URL/rd_scale_top" -q -c "VACUUM ANALYZE"
fi
for db in rd_scale rd_scale_top; do
  echo "== $db: load average before $(cut -d' ' -f1-3 /proc/loadavg)"
  DATABASE_URL="$PG_ADMIN_URL/$db" $PY manage.py migrate -v 0
  DATABASE_URL="$PG_ADMIN_URL/$db" $PY -m bench.scale ${BENCH_SCALE_ARGS:---explain} 2>"$OUT/$db.err" | tee "$OUT/$db.md"
done
echo "Output: $OUT"
