#!/usr/bin/env bash
# Back up the database named by DATABASE_URL into a new timestamped file in DIR, and print its path.
#   SQLite:     an online copy through SQLite's backup API, safe while the app runs (WAL mode),
#               then PRAGMA integrity_check on the copy.
#   PostgreSQL: pg_dump --format=custom, then pg_restore --list to prove the archive reads back.
# How to schedule, keep, restore and verify backups: docs/BACKUP.md.
set -euo pipefail

usage() {
  cat >&2 <<'EOF'
usage: DATABASE_URL=... scripts/backup.sh DIR

Backs up the Recovery Desk database into DIR (which must exist) as
  DIR/recovery-desk-YYYYMMDDTHHMMSSZ.sqlite3   for sqlite:///relative/path or sqlite:////absolute/path
  DIR/recovery-desk-YYYYMMDDTHHMMSSZ.pgdump    for postgres://user@host:5432/name
and prints the file's path. Use the app's own DATABASE_URL. A PostgreSQL password may be in
the URL, in PGPASSWORD or in ~/.pgpass; it is never put on a command line.
EOF
  exit 2
}

fail() {
  echo "backup.sh: $*" >&2
  exit 1
}

[ $# -eq 1 ] || usage
case "$1" in -h | --help | -*) usage ;; esac
dir=$1
[ -n "${DATABASE_URL:-}" ] || fail "DATABASE_URL is not set. The app's default is the SQLite file db.sqlite3 in its \
directory: DATABASE_URL=sqlite:///\$PWD/db.sqlite3 scripts/backup.sh DIR"
{ [ -d "$dir" ] && [ -w "$dir" ]; } || fail "$dir is not a writable directory"

# The backups hold customers' names, phone numbers and emails: readable by their owner only.
umask 077
stamp=$(date -u +%Y%m%dT%H%M%SZ)

case "$DATABASE_URL" in
  sqlite://*)
    # Same reading as django-environ: sqlite:///db.sqlite3 is relative, sqlite:////srv/db.sqlite3 absolute.
    db=${DATABASE_URL#sqlite://}
    db=${db#/}
    case "$db" in "" | *:memory:*) fail "$DATABASE_URL is an in-memory database: nothing to back up" ;; esac
    # Without this check sqlite3.connect would create an empty file and back that up.
    [ -f "$db" ] || fail "no SQLite database at $db"
    out="$dir/recovery-desk-$stamp.sqlite3"
    ;;
  postgres://* | postgresql://* | pgsql://* | psql://* | postgis://*)
    command -v pg_dump >/dev/null || fail "pg_dump is not installed (Debian: apt-get install postgresql-client)"
    out="$dir/recovery-desk-$stamp.pgdump"
    ;;
  *) fail "DATABASE_URL must start with sqlite:// or postgres://" ;;
esac
[ ! -e "$out" ] || fail "$out already exists: one backup a second at most"

# Written under a temporary name and renamed when complete: a crash never leaves a file that looks whole.
partial="$dir/.recovery-desk-$stamp.partial"
trap 'rm -f "$partial"' EXIT

if [ -n "${db:-}" ]; then
  python3 - "$db" "$partial" <<'PY'
import sqlite3
import sys

source_path, copy_path = sys.argv[1:]
source = sqlite3.connect(source_path, timeout=20)
copy = sqlite3.connect(copy_path)
source.backup(copy)  # one consistent snapshot; the app's writers carry on meanwhile (WAL)
copy.execute("PRAGMA journal_mode=DELETE")  # the copy is one self-contained file, no -wal beside it
result = copy.execute("PRAGMA integrity_check").fetchone()[0]
copy.close()
source.close()
if result != "ok":
    sys.exit(f"backup.sh: the copy fails PRAGMA integrity_check: {result}")
PY
else
  # libpq reads the URL itself; the password moves to PGPASSWORD so it never shows in `ps`.
  # Printed password first: an empty one then stays an empty first line.
  parts=$(python3 -c '
import os, urllib.parse as u
url = u.urlsplit(os.environ["DATABASE_URL"])
userinfo, _, host = url.netloc.rpartition("@")
user, _, password = userinfo.partition(":")
print(u.unquote(password))
print(u.urlunsplit(("postgresql", f"{user}@{host}" if user else host, url.path, url.query, "")))')
  password=${parts%%$'\n'*}
  uri=${parts#*$'\n'}
  [ -z "$password" ] || export PGPASSWORD="$password"
  pg_dump --format=custom --file="$partial" --dbname="$uri"
  pg_restore --list "$partial" >/dev/null
fi

mv "$partial" "$out"
trap - EXIT
echo "$out"
