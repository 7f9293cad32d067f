"""Read the locust CSVs of one bench/run.sh run and print the figures table (Markdown)."""

import argparse
import csv
import json
from pathlib import Path

NAMES = {"pg": "PostgreSQL 15", "sqlite": "SQLite (WAL, IMMEDIATE)"}


def row(out: Path, backend: str, kind: str, n: str) -> dict | None:
    path = out / f"{backend}-{kind}-{n}_stats.csv"
    if not path.exists():
        return None
    for line in csv.DictReader(path.open()):
        if line["Name"] in ("grant POST", "baseline POST"):
            return {
                "rps": float(line["Requests/s"]),
                "count": int(line["Request Count"]),
                "failures": int(line["Failure Count"]),
                "p50": line["50%"],
                "p95": line["95%"],
                "p99": line["99%"],
                "cpu": cpu_per_request(out / f"{backend}-{kind}-{n}-cpu.json", int(line["Request Count"])),
            }
    return None


def cpu_per_request(path: Path, count: int) -> str:
    """CPU ms per request, app server + database ('app + db'), or '?' when not measured."""
    if not path.exists() or not count:
        return "?"
    used = json.loads(path.read_text())
    return f"{1000 * used['app'] / count:.1f} + {1000 * used['db'] / count:.1f}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--backends", default="pg sqlite")
    parser.add_argument("--counters", default="1 8 32")
    args = parser.parse_args()
    print(
        "| database | N | grants/s | p50 / p95 / p99 ms | grants (failed) | CPU ms/grant app + db "
        "| baseline req/s | baseline p50 / p95 / p99 ms | baseline CPU ms/req | ratio |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    verdicts = []
    for backend in args.backends.split():
        for n in args.counters.split():
            grant, base = row(args.out, backend, "grant", n), row(args.out, backend, "baseline", n)
            if grant is None or base is None:
                print(f"| {NAMES[backend]} | {n} | missing: see {args.out}/{backend}-*-{n}.log |||||||")
                continue
            ratio = grant["rps"] / base["rps"] if base["rps"] else 0.0
            print(
                f"| {NAMES[backend]} | {n} | {grant['rps']:.0f} | {grant['p50']} / {grant['p95']} / {grant['p99']} "
                f"| {grant['count']} ({grant['failures']}) | {grant['cpu']} | {base['rps']:.0f} "
                f"| {base['p50']} / {base['p95']} / {base['p99']} | {base['cpu']} | {ratio:.2f} |"
            )
            if n == "8":
                ok_ratio, ok_p95 = ratio >= 0.5, float(grant["p95"]) < 100
                verdicts.append(
                    f"{NAMES[backend]}, 8 counters: ratio {ratio:.2f} (target >= 0.50: {'met' if ok_ratio else 'MISSED'}), "
                    f"p95 {grant['p95']} ms (target < 100 ms: {'met' if ok_p95 else 'MISSED'})"
                )
    print()
    for verdict in verdicts:
        print(verdict)


if __name__ == "__main__":
    main()
