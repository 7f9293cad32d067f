"""Print the tables of one bench/ab.sh run (Markdown): every step, then the medians and both ratios.

Ratios are throughput ratios, grant / baseline, of the medians over the rounds:
`vs stack` divides by the same middleware stack with one INSERT, `vs bare` by a
bare Django project with one INSERT. CPU is milliseconds per request of the
gunicorn workers (app) and of the PostgreSQL backends of the benchmark database
(db), user + system time, over the measured window.
"""

import argparse
import csv
import json
import statistics
from pathlib import Path

TARGETS = ("grant", "baseline", "bare")
LABELS = {"grant": "grant (real app)", "baseline": "same stack, 1 INSERT", "bare": "bare Django, 1 INSERT"}


def step(out: Path, target: str, n: str, round_: int) -> dict | None:
    name = f"{target}-{n}-r{round_}"
    path = out / f"{name}_stats.csv"
    if not path.exists():
        return None
    for line in csv.DictReader(path.open()):
        if line["Name"] in ("grant POST", "baseline POST"):
            count = int(line["Request Count"])
            cpu_path = out / f"{name}-cpu.json"
            cpu = json.loads(cpu_path.read_text()) if cpu_path.exists() else None
            return {
                "rps": float(line["Requests/s"]),
                "count": count,
                "failures": int(line["Failure Count"]),
                "p50": float(line["50%"]),
                "p95": float(line["95%"]),
                "p99": float(line["99%"]),
                "app": 1000 * cpu["app"] / count if cpu and count else None,
                "db": 1000 * cpu["db"] / count if cpu and count else None,
            }
    return None


def loads(out: Path) -> dict[str, str]:
    path = out / "load.txt"
    lines = path.read_text().splitlines() if path.exists() else []
    return {line.split(" ", 1)[0]: line.split(" ", 1)[1] for line in lines if " " in line}


def cpu(row: dict) -> str:
    return "?" if row["app"] is None else f"{row['app']:.1f} + {row['db']:.1f}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--counters", default="8 32")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    load = loads(args.out)
    print(
        "| N | round | target | load avg before (1/5/15 min) | req/s | p50 / p95 / p99 ms | requests (failed) "
        "| CPU ms/req app + db |"
    )
    print("|---|---|---|---|---|---|---|---|")
    medians = {}
    for n in args.counters.split():
        for target in TARGETS:
            rows = []
            for round_ in range(1, args.rounds + 1):
                row = step(args.out, target, n, round_)
                key = f"{target}-{n}-r{round_}"
                if row is None:
                    print(f"| {n} | {round_} | {LABELS[target]} | {load.get(key, '?')} | missing: {key}.log |||| ")
                    continue
                rows.append(row)
                print(
                    f"| {n} | {round_} | {LABELS[target]} | {load.get(key, '?')} | {row['rps']:.0f} "
                    f"| {row['p50']:.0f} / {row['p95']:.0f} / {row['p99']:.0f} | {row['count']} ({row['failures']}) "
                    f"| {cpu(row)} |"
                )
            if rows:
                medians[n, target] = {
                    key: statistics.median(r[key] for r in rows) if all(r[key] is not None for r in rows) else None
                    for key in ("rps", "p50", "p95", "p99", "app", "db")
                }
    print()
    print("Medians over the rounds, and the grant path's throughput as a share of each baseline's:")
    print()
    print(
        "| N | target | req/s | p50 / p95 / p99 ms | CPU ms/req app + db | grant ÷ this (throughput) "
        "| this CPU ÷ grant CPU |"
    )
    print("|---|---|---|---|---|---|---|")
    for n in args.counters.split():
        grant = medians.get((n, "grant"))
        for target in TARGETS:
            row = medians.get((n, target))
            if row is None:
                continue
            ratio = f"{grant['rps'] / row['rps']:.2f}" if grant and row["rps"] else "?"
            share = "?"
            if grant and grant["app"] is not None and row["app"] is not None:
                share = f"{(row['app'] + row['db']) / (grant['app'] + grant['db']):.2f}"
            print(
                f"| {n} | {LABELS[target]} | {row['rps']:.0f} | {row['p50']:.0f} / {row['p95']:.0f} / "
                f"{row['p99']:.0f} | {cpu(row)} | {ratio} | {share} |"
            )


if __name__ == "__main__":
    main()
