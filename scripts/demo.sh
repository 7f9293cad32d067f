#!/usr/bin/env bash
# Fresh machine → running demo: venv, install, migrate, seed, serve on http://127.0.0.1:8000 with the job worker
# The settings default to DEBUG off (production); the demo is development: DEBUG on (its own
# secret key, runserver serves the static files, readable text logs). Runtime packages only.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBUG="${DEBUG:-true}"
# The README's manage.py commands run on this machine afterwards: a .env (read by the settings) says so.
[ -e .env ] || printf '# Written by scripts/demo.sh: this checkout is a development demo.\nDEBUG=true\n' > .env
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null || PYTHON=python3
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -r requirements.txt
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py seed_demo
# The background worker (webhook deliveries, README "Background jobs and webhooks") runs beside the server
# and stops with it: Ctrl-C, or the server exiting, ends both.
.venv/bin/python manage.py qcluster &
WORKER=$!
trap 'kill "$WORKER" 2>/dev/null || true; wait "$WORKER" 2>/dev/null || true' EXIT INT TERM
.venv/bin/python manage.py runserver "${ADDRESS:-127.0.0.1:8000}"
