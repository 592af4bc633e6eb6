"""Cold import time of every function's handler module, beside a bare `import psycopg, pydantic` baseline.

Each figure is the median of 5 fresh interpreters, measured in this one run. A Lambda cold start pays this
import once per instance; the API functions should stay within 1.3x the baseline and never import numpy.

    python bench/bench_imports.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "infra"))  # run from a checkout without installing

from momentum_infra import template as tpl  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from summary import record  # noqa: E402

RUNS = 5
PROBE = (
    "import sys, time; t = time.perf_counter(); import {modules}; "
    "print(time.perf_counter() - t, 'numpy' in sys.modules)"
)


def cold_import(modules: str) -> tuple[float, bool]:
    times, numpy = [], False
    for _ in range(RUNS):
        out = subprocess.run(
            [sys.executable, "-c", PROBE.format(modules=modules)], capture_output=True, text=True, check=True, cwd=ROOT
        ).stdout.split()
        times.append(float(out[0]))
        numpy = out[1] == "True"
    return statistics.median(times), numpy


def main() -> int:
    baseline, _ = cold_import("psycopg, pydantic")
    # What any Chalice app with one pydantic model pays before its own code: pydantic imports its model machinery
    # lazily, on the first class definition.
    floor, _ = cold_import("psycopg, pydantic, chalice.app; exec('class M(pydantic.BaseModel): x: int')")
    print(f"{'function':<24}{'module':<34}{'median ms':>10}{'x baseline':>12}  numpy")
    print(f"{'(baseline)':<24}{'psycopg, pydantic':<34}{baseline * 1000:>10.1f}{1.0:>12.2f}")
    print(f"{'(framework floor)':<24}{'+ chalice.app, one model':<34}{floor * 1000:>10.1f}{floor / baseline:>12.2f}")
    worst = 0.0
    # The target is for functions that answer requests; scheduled and queue functions (boto3 for SQS, numpy for
    # analysis) start cold where nobody waits on them.
    api = {route.function for route in tpl.api_routes()}
    for function, module in sorted(tpl.function_modules().items()):
        seconds, numpy = cold_import(module)
        ratio = seconds / baseline
        if function in api:
            worst = max(worst, ratio)
        print(
            f"{function:<24}{module:<34}{seconds * 1000:>10.1f}{ratio:>12.2f}  {'yes' if numpy else 'no'}"
            f"{'' if function in api else '  (not an API function)'}"
        )
    print(f"\nworst API function: {worst:.2f}x baseline (target <= 1.3x)")
    record("cold import", "worst API function / psycopg+pydantic", round(worst, 2), "x", "<= 1.3", worst <= 1.3)
    return 0


if __name__ == "__main__":
    sys.exit(main())
