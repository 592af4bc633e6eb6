"""Every performance benchmark in one run, then one table of their headline figures.

    python bench/bench_all.py                 (make bench)
    python bench/bench_all.py cpu market      only these (names as in BENCHMARKS)

Runs each benchmark as its own process, one after another (so none competes with another for the two cores and
each starts cold), streams its full report, and collects the figures it records through bench/summary.py. The
table at the end has one row per figure: round trips per write path, warm handler CPU per request, throughput
beside pgbench, p99 at the large data set, the recommendations batch, cold imports. A benchmark that fails is
reported as failed in the table (one that measured but missed a target shows "NOT met" instead), and either makes
the run exit non-zero; the others still run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from summary import SUMMARY_ENV  # noqa: E402

BENCH = Path(__file__).resolve().parent

# name -> script and its arguments, in the order they run (cheap first; the large data set last: it is seeded on
# first use, 20 to 90 minutes at full size by the machine, and kept; the recommendations batch runs against it too).
BENCHMARKS = {
    "imports": "bench_imports.py",
    "cpu": "bench_cpu.py",
    "market": "bench_market.py",
    "recommend": "bench_recommend.py --large",
    "scale": "bench_scale.py",
}


def run(name: str, summary: Path) -> tuple[bool, float]:
    print(f"\n===== {name} ({BENCHMARKS[name]}) =====", flush=True)
    started = time.perf_counter()
    env = {**os.environ, SUMMARY_ENV: str(summary)}
    script, *args = BENCHMARKS[name].split()
    done = subprocess.run([sys.executable, str(BENCH / script), *args], env=env)
    return done.returncode == 0, time.perf_counter() - started


def table(rows: list[dict[str, object]], failed: list[str]) -> str:
    def value(row: dict[str, object]) -> str:
        v = row["value"]
        text = f"{v:,.2f}" if isinstance(v, float) else f"{v:,}" if isinstance(v, int) else str(v)
        return f"{text} {row['unit']}".strip()

    def verdict(row: dict[str, object]) -> str:
        return "" if row["met"] is None else "met" if row["met"] else "NOT met"

    lines = [f"{'group':<24} {'figure':<48} {'value':>18}  {'target':<10} {'':7}"]
    for row in rows:
        lines.append(
            f"{row['group']!s:<24} {row['figure']!s:<48} {value(row):>18}  {row['target']!s:<10} {verdict(row):7}"
        )
    lines += [f"{'(failed)':<24} {name:<48} {'—':>18}" for name in failed]
    return "\n".join(lines)


def main() -> int:
    names = sys.argv[1:] or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    failed: list[str] = []
    with tempfile.TemporaryDirectory() as scratch:
        summary = Path(scratch) / "summary.jsonl"
        summary.touch()
        for name in names:
            before = len(summary.read_text().splitlines())
            ok, seconds = run(name, summary)
            recorded = len(summary.read_text().splitlines()) > before
            # A benchmark that measured but exits non-zero for a missed target is in the table as "NOT met";
            # only one that recorded nothing failed.
            status = "done" if ok else "done, a target missed" if recorded else "FAILED"
            print(f"----- {name}: {status} in {seconds:.0f} s", flush=True)
            if not recorded:
                failed.append(name)
        rows = [json.loads(line) for line in summary.read_text().splitlines() if line]
    print(f"\n===== Summary ({os.cpu_count()} CPUs, {time.strftime('%Y-%m-%d %H:%M')}) =====")
    print(table(rows, failed))
    missed = [r for r in rows if r["met"] is False]
    if missed:
        print(f"\n{len(missed)} target(s) not met.")
    return 1 if failed or missed else 0


if __name__ == "__main__":
    sys.exit(main())
