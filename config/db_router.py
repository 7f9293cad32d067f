"""Read replica: the review pages' and the CSV exports' reads go to `replica`, everything else to `default`.

The design, chosen as the simplest that is honest about replication lag:

- `DATABASE_REPLICA_URL` adds the `replica` database and sets `READ_REPLICA_ALIAS`
  (config/settings.py). Without it the alias is empty and every read and write
  goes to `default`, exactly as before.
- Reads go to the replica only *inside* `replica_reads()`, which the read-only
  review views enter with `@reads_from_replica` (the audit timeline, the
  insights dashboard and monthly report) and which the CSV exports hold for as
  long as their rows stream (`streamed_from_replica`: a streamed response is
  read after the view has returned). Nothing else reads from the replica: the
  counter, the grant path, every POST and the pages a redirect lands on after a
  change (a grant's audit page after a void, the anomaly list after a review)
  read the primary, so nobody misses their own write because the replica lags.
- Inside that scope only the domain apps' tables (`recovery`, `compensation`)
  are read from the replica. Sessions, users, groups and two-step devices stay
  on the primary: a sign-in, a sign-out or a removed role must count at once,
  whatever the lag.
- A read inside a transaction on `default` (a service's write) reads `default`.
- Writes always go to `default`, and migrations run only there (the replica is
  a copy PostgreSQL keeps, not a database Django manages).

What the lag means for a reader: a review page or an export may be behind the
primary by the replica's lag (normally well under a second); it never mixes
two snapshots within one export (the export reads in one transaction on the
replica, `recovery.selectors.read_in_one_transaction`).

The scope is a context variable: the sync WSGI worker that runs the view also
iterates the streamed response, in the same thread and context.
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connections

REPLICA_READ_APPS = frozenset({"recovery", "compensation"})

_replica_reads: contextvars.ContextVar[bool] = contextvars.ContextVar("replica_reads", default=False)


def replica_configured() -> str:
    """The replica's alias when one is configured (`READ_REPLICA_ALIAS`), else ''."""
    alias = getattr(settings, "READ_REPLICA_ALIAS", "")
    return alias if alias in settings.DATABASES else ""


def read_alias() -> str:
    """The alias the domain's reads use here and now: the replica inside `replica_reads()`, else 'default'."""
    return (_replica_reads.get() and replica_configured()) or "default"


@contextmanager
def replica_reads():
    """Within this block, reads of the domain's tables go to the replica (when one is configured)."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def reads_from_replica(view):
    """View decorator: the view's own reads come from the replica. For read-only pages only."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        with replica_reads():
            return view(request, *args, **kwargs)

    return wrapped


def streamed_from_replica(rows: Iterable) -> Iterator:
    """Iterate `rows` with the replica's scope held while each row is read (a streamed response)."""
    with replica_reads():
        yield from rows


class ReplicaRouter:
    """Reads of the domain's tables inside `replica_reads()` to the replica; all else to the primary."""

    def db_for_read(self, model, **hints):
        if model._meta.app_label not in REPLICA_READ_APPS:
            return "default"
        if connections["default"].in_atomic_block:
            return "default"  # a read inside a write's transaction sees that transaction, never the copy
        return read_alias()

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database and its copy: the same rows either way

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
