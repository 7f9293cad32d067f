#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into the database named by DATABASE_URL.
#   SQLite:     copied in through SQLite's backup API (never a file copy over a WAL database),
#               then PRAGMA integrity_check.
#   PostgreSQL: pg_restore --clean --if-exists --no-owner in one transaction: all or nothing.
# Stop the app first. How to verify the result: docs/BACKUP.md.
set -euo pipefail

usage() {
  cat >&2 <<'EOF'
usage: DATABASE_URL=... scripts/restore.sh [--force] FILE|DIR

Restores FILE (or the newest recovery-desk-* backup of the right kind in DIR) into the
database DATABASE_URL names: sqlite:///path/db.sqlite3 or postgres://user@host:5432/name.
Stop the app first. A target that already holds data is replaced only with --force.
A PostgreSQL password may be in the URL, in PGPASSWORD or in ~/.pgpass.
EOF
  exit 2
}

fail() {
  echo "restore.sh: $*" >&2
  exit 1
}

force=false
if [ "${1:-}" = --force ]; then
  force=true
  shift
fi
[ $# -eq 1 ] || usage
case "$1" in -h | --help | -*) usage ;; esac
[ -n "${DATABASE_URL:-}" ] || fail "DATABASE_URL is not set: name the database to restore into"

case "$DATABASE_URL" in
  sqlite://*)
    kind=sqlite3
    magic="SQLite format 3"
    # Same reading as django-environ: sqlite:///db.sqlite3 is relative, sqlite:////srv/db.sqlite3 absolute.
    db=${DATABASE_URL#sqlite://}
    db=${db#/}
    case "$db" in "" | *:memory:*) fail "$DATABASE_URL is an in-memory database: nowhere to restore to" ;; esac
    [ -d "$(dirname -- "$db")" ] || fail "no directory for $db"
    ;;
  postgres://* | postgresql://* | pgsql://* | psql://* | postgis://*)
    kind=pgdump
    magic=PGDMP
    db=
    for tool in pg_restore psql; do
      command -v "$tool" >/dev/null || fail "$tool is not installed (Debian: apt-get install postgresql-client)"
    done
    ;;
  *) fail "DATABASE_URL must start with sqlite:// or postgres://" ;;
esac

backup=$1
if [ -d "$backup" ]; then
  # Timestamps sort as text, so the last match is the newest.
  newest=
  for candidate in "$backup"/recovery-desk-*."$kind"; do
    [ -f "$candidate" ] && newest=$candidate
  done
  [ -n "$newest" ] || fail "no recovery-desk-*.$kind backup in $backup"
  backup=$newest
fi
{ [ -f "$backup" ] && [ -r "$backup" ]; } || fail "cannot read $backup"
# A PostgreSQL archive restored into SQLite (or the reverse) is refused before anything is touched.
[ "$(head -c ${#magic} -- "$backup" | tr -d '\000')" = "$magic" ] || fail "$backup is not a $kind backup for $DATABASE_URL"

if [ -n "$db" ]; then
  if [ -s "$db" ] && ! $force; then
    fail "$db already holds a database: stop the app and add --force to replace it with $backup"
  fi
  python3 - "$backup" "$db" <<'PY'
import sqlite3
import sys
from pathlib import Path

backup_path, target_path = sys.argv[1:]
backup = sqlite3.connect(Path(backup_path).resolve().as_uri() + "?mode=ro", uri=True)
target = sqlite3.connect(target_path, timeout=20)
# Page by page under the target's own lock and journal: a stale -wal file cannot leak in.
backup.backup(target)
result = target.execute("PRAGMA integrity_check").fetchone()[0]
target.close()
backup.close()
if result != "ok":
    sys.exit(f"restore.sh: the restored database fails PRAGMA integrity_check: {result}")
PY
  target=$db
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
  tables=$(psql --dbname="$uri" --no-psqlrc --tuples-only --no-align \
    --command="SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
  if [ "$tables" != 0 ] && ! $force; then
    fail "the database already has $tables tables: stop the app and add --force to replace them with $backup"
  fi
  # --single-transaction: an error rolls the whole restore back instead of leaving half a database.
  pg_restore --clean --if-exists --no-owner --single-transaction --dbname="$uri" "$backup"
  target=$uri
fi

echo "restored $backup into $target" >&2
echo "next: python manage.py migrate --check && python manage.py check, then compare counts (docs/BACKUP.md)" >&2
