"""Synthetic data at scale, for benchmarks and load tests: grants with their whole paper trail.

`generate_grants` makes what a chain of shops would have after a year or two of
counters: customers of every tenure, failures in every category, grants across
the playbooks (at or below the cap), about 3% voided, a few escalations
(approved, declined, pending), the simple-history rows of every record (as the
services write them: a creation row, and a change row for each void or
decision) and the hash-chained journal entries, so `verify_audit` passes.

Speed: nothing goes through the services (a million grants one by one would
take hours). Rows are built in Python from the same pieces the services use
(the cap engine, `Policy.snapshot`, `GrantRequest.fingerprint`'s canonical form,
the journal's own `journal_entry`), ids are reserved up front, and each table gets one COPY
(PostgreSQL) or one `executemany` (SQLite) per batch. Each batch is one
transaction holding the generated locations' row locks, like a grant: an
interrupted run leaves complete batches behind, and the journal verifies.

Every grant is priced by the version in force now (caps, tiers, frontline
authority); its per-customer limits and location budgets are not applied, so a
frequent customer may be past a limit. Run it on a database where nobody is
granting at the generated locations (it holds their locks one batch at a time).

Not part of the running app: it lives with the benchmarks, which are its
only users (`bench/pages.py`, `bench/pages.sh`, the `generate_grants` command).
Modules: `options` (what a run is asked for), `writers` (bulk rows, ids, the
journal), `cast` (locations, staff, customers), `cases` (one case at a
time), `generate` (a whole run).
"""

from bench.synthetic.generate import generate_grants, generated_grant_count
from bench.synthetic.options import PASSWORD, PHONE_PREFIX, PREFIX, GeneratedDataExists, Options

__all__ = [
    "PASSWORD",
    "PHONE_PREFIX",
    "PREFIX",
    "GeneratedDataExists",
    "Options",
    "generate_grants",
    "generated_grant_count",
]
