"""A warm function's first request freezes what its cold start built (momentum.http._freeze_startup_heap), so the
collector's full passes no longer walk the modules and caches: checked in a fresh interpreter, where nothing else
has frozen anything."""

import json
import subprocess
import sys
import textwrap

PROGRAM = textwrap.dedent(
    """
    import gc, json
    from chalice.test import Client
    from momentum.http import MomentumApp

    app = MomentumApp("probe")

    @app.route("/ping", auth="public")
    def ping(ctx):
        return {"ok": True}

    counts = [(gc.get_freeze_count(), gc.get_stats()[2]["collections"])]
    with Client(app) as client:
        for _ in range(3):
            assert client.http.get("/ping").status_code == 200
            counts.append((gc.get_freeze_count(), gc.get_stats()[2]["collections"]))
    print(json.dumps(counts))
    """
)


def test_the_first_request_freezes_the_startup_heap_and_later_ones_leave_it():
    done = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True, check=True)
    (before, full_before), (first, full_first), *later = json.loads(done.stdout.strip().splitlines()[-1])
    assert before == 0
    assert first > 10_000  # the imported modules, chalice, pydantic, psycopg: far more than a request's objects
    assert full_first == full_before + 1  # the one full collection before freezing
    for frozen, full in later:  # no second freeze, no full collection forced per request
        assert full == full_first
        assert abs(frozen - first) < first // 100
