"""CPU time used by the app server and the database during a load step.

Other developers' work shares the 2 cores, so requests per second and latencies
move with the machine's load; the CPU time each request costs does not (much).
`CpuMeter` sums user + system time of the gunicorn master's workers and of the
PostgreSQL backends serving the benchmark database (for SQLite the database
work runs inside the workers). It samples every process twice a second, so a
backend that exits during the window (a connection past CONN_MAX_AGE) still
counts up to its last sample. The locust script starts it when the measured
window starts and reads it when the window ends.
"""

from __future__ import annotations

import psutil


def _cpu(process: psutil.Process) -> float | None:
    try:
        times = process.cpu_times()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None
    return times.user + times.system


def cpu_by_process(*, gunicorn_pid: int, pg_database: str = "") -> dict[tuple[str, int], float]:
    """{('app' | 'db', pid): CPU seconds so far} for the gunicorn workers and the database's backends."""
    seen: dict[tuple[str, int], float] = {}
    try:
        workers = psutil.Process(gunicorn_pid).children(recursive=True)
    except psutil.NoSuchProcess:
        workers = []
    for worker in workers:
        if (used := _cpu(worker)) is not None:
            seen["app", worker.pid] = used
    if pg_database:
        for process in psutil.process_iter(["cmdline"]):
            words = " ".join(process.info["cmdline"] or []).split()
            # A backend's title: "postgres: [15/main: ]<user> <database> <client> <state>"
            if words[:1] == ["postgres:"] and pg_database in words[2:4] and (used := _cpu(process)) is not None:
                seen["db", process.pid] = used
    return seen


class CpuMeter:
    """CPU used since `start()`, by kind ('app', 'db'), from periodic samples of every process."""

    def __init__(self, *, gunicorn_pid: int, pg_database: str = ""):
        self.gunicorn_pid, self.pg_database = gunicorn_pid, pg_database
        self.first: dict[tuple[str, int], float] = {}
        self.last: dict[tuple[str, int], float] = {}

    def start(self) -> None:
        self.first = cpu_by_process(gunicorn_pid=self.gunicorn_pid, pg_database=self.pg_database)
        self.last = dict(self.first)

    def sample(self) -> None:
        self.last.update(cpu_by_process(gunicorn_pid=self.gunicorn_pid, pg_database=self.pg_database))

    def used(self) -> dict[str, float]:
        totals = {"app": 0.0, "db": 0.0}
        for key, seconds in self.last.items():
            totals[key[0]] += seconds - self.first.get(key, 0.0)
        return totals
