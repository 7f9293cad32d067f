#!/usr/bin/env bash
# Fresh machine → running demo: venv, install, migrate, seed, serve on http://127.0.0.1:8000
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
exec .venv/bin/python manage.py runserver "${ADDRESS:-127.0.0.1:8000}"
