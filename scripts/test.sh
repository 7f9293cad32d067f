#!/usr/bin/env bash
# The whole test suite on SQLite, and again (all but the browser tests) on PostgreSQL when PG_DATABASE_URL is set
# (.ci/run installs and starts a PostgreSQL server and sets it). Extra args go to pytest.
# The browser tests (tests/e2e) need Debian's chromium; without it they skip, unless
# RD_REQUIRE_BROWSER=1 (as in CI), where a missing browser fails them.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null || PYTHON=python3
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
# Runtime and test tools (requirements-dev.txt includes requirements.txt).
.venv/bin/python -m pip install --quiet -r requirements-dev.txt
# axe-core for the browser tests (tests/e2e), at the version package-lock.json pins.
if command -v npm >/dev/null; then
  npm ci --no-audit --no-fund --silent
  # The stylesheets must parse and follow the rules (an unclosed block once hid half the sheet).
  bash scripts/lint-css.sh
fi

# Two workers (pytest-xdist) by default: each has its own test database, so the concurrency and
# browser tests keep their own servers. TEST_WORKERS=0 runs everything in one process.
WORKERS=(-n "${TEST_WORKERS:-2}")
echo "== test suite on SQLite =="
env -u DATABASE_URL .venv/bin/python -m pytest -q "${WORKERS[@]}" "$@"
if [ -n "${PG_DATABASE_URL:-}" ]; then
  # The browser tests ran above: they check pages, the same on either database, and take a third of a run.
  echo "== test suite on PostgreSQL (browser tests: see the SQLite run) =="
  DATABASE_URL="$PG_DATABASE_URL" .venv/bin/python -m pytest -q "${WORKERS[@]}" -m "not e2e" "$@"
fi
