#!/usr/bin/env bash
# The date-sensitive tests (budgets, limits, vouchers, insights, reports, anomalies, timeline,
# replay: marker `date_sensitive`, listed in tests/clock.py) under hostile instants: the first and
# last minute of a month in a location's time zone, a DST change day, 29 February, New Year's Eve.
# Then once more with the machine's own clock moved by libfaketime (when `faketime` is installed),
# which proves the tests build their data from "now" rather than from a date they assume.
# Run after scripts/test.sh (it uses the venv that script makes). Extra args go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
WORKERS=(-n "${TEST_WORKERS:-2}")
mapfile -t INSTANTS < <("$PY" -c 'from tests.clock import HOSTILE_INSTANTS as H; print("\n".join(H.values()))')
for instant in "${INSTANTS[@]}"; do
  echo "== date-sensitive tests at $instant (SQLite) =="
  env -u DATABASE_URL "$PY" -m pytest -q "${WORKERS[@]}" -m date_sensitive --clock="$instant" "$@"
done
if command -v faketime >/dev/null; then
  # 00:30 local on the first of a month (London is UTC in January), on the machine's clock itself.
  echo "== date-sensitive tests with the machine's clock at 2027-01-01 00:30 UTC (faketime) =="
  TZ=UTC env -u DATABASE_URL faketime -f '@2027-01-01 00:30:00' "$PY" -m pytest -q "${WORKERS[@]}" -m date_sensitive "$@"
else
  echo "(faketime not installed: the machine-clock run is skipped)"
fi
