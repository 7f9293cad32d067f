"""CPU time used by the app server and the database during a load step.

Other developers' work shares the 2 cores, so requests per second and latencies
move with the machine's load; the CPU time each request costs does not (much).
`cpu_seconds()` sums user + system time of the gunicorn master's workers and of
the PostgreSQL backends serving the benchmark database (for SQLite the database
work runs inside the workers). The locust script takes one reading when the
measured window starts and one when it ends.
"""

from __future__ import annotations

import psutil


def _cpu(process: psutil.Process) -> float:
    try:
        times = process.cpu_times()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return 0.0
    return times.user + times.system


def cpu_seconds(*, gunicorn_pid: int, pg_database: str = "") -> dict[str, float]:
    """{'app': seconds used so far by the gunicorn workers, 'db': by the benchmark database's backends}."""
    try:
        workers = psutil.Process(gunicorn_pid).children(recursive=True)
    except psutil.NoSuchProcess:
        workers = []
    db = 0.0
    if pg_database:
        for process in psutil.process_iter(["cmdline"]):
            words = " ".join(process.info["cmdline"] or []).split()
            # A backend's title: "postgres: 15/main: <user> <database> <client> <state>"
            if words[:1] == ["postgres:"] and pg_database in words[2:4]:
                db += _cpu(process)
    return {"app": sum(_cpu(worker) for worker in workers), "db": db}
