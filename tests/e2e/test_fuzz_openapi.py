"""Property-based fuzzing of every operation of the OpenAPI document against `momentum dev` (schemathesis): as a
user and as an admin, no answer may be a server error or break the response schema its operation documents.

Bounded so it fits in a few minutes: FUZZ_MAX_EXAMPLES examples per operation (default 10), the fuzzing phase
(FUZZ_PHASES to change, e.g. "coverage,fuzzing" for the boundary values too, some minutes more). The seed is random
unless FUZZ_SEED is set; a failure prints it, with a curl command for each failing case, so it can be replayed.
``POST /auth/logout`` is left out: it would revoke the token the run authenticates with.

Random ids only reach "not found", so the run first creates real rows for its caller (a purchase, a reward, a
session with a set, a track with an annotation and a region) and pins the path parameters to their ids
(schemathesis.toml's [parameters]); the bodies and queries stay fuzzed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import uuid

import pytest

pytestmark = pytest.mark.slow

CHECKS = "not_a_server_error,response_schema_conformance"


def real_ids(dev_server, token: str, admin: bool) -> dict[str, str]:
    """Rows of the caller's own for the id routes to find (best effort: what cannot be made is left to chance)."""

    def call(method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        return dev_server.call(method, path, body, token=token)

    ids = {"user_id": call("GET", "/me")[1]["id"]}
    if admin:
        call("POST", f"/admin/users/{ids['user_id']}/grants", {"coins": 100_000, "reason": "fuzzing"})
    ids["item_id"] = call("GET", "/market/items?limit=1")[1]["items"][0]["id"]
    made = {
        "purchase_id": call("POST", f"/market/items/{ids['item_id']}/purchase", {}),
        "reward_id": call("POST", "/market/rewards/daily"),
        "session_id": call("POST", "/fitness/sessions", {}),
        "track_id": call("POST", "/reference/tracks", {"name": "fuzz", "mime_type": "audio/wav", "file_size_bytes": 1}),
    }
    for name, (status, body) in made.items():
        if status == 201:
            ids[name] = body["track"]["id"] if name == "track_id" else body["id"]
    ids["exercise_id"] = call("GET", "/fitness/exercises?limit=1")[1]["items"][0]["id"]
    if "session_id" in ids:
        status, body = call(
            "POST", f"/fitness/sessions/{ids['session_id']}/sets", {"exercise_id": ids["exercise_id"], "reps": 5}
        )
        if status == 201:
            ids["set_id"] = body["set"]["id"]
    if "track_id" in ids:
        track = f"/reference/tracks/{ids['track_id']}"
        for name, path, body in (
            ("annotation_id", "/annotations", {"start_time_ms": 0, "title": "fuzz"}),
            ("region_id", "/regions", {"start_time_ms": 0, "end_time_ms": 1000, "name": "fuzz"}),
        ):
            status, made_row = call("POST", track + path, body)
            if status == 201:
                ids[name] = made_row["id"]
    prompts = call("GET", "/reference/prompts?limit=1")[1]["items"]
    if prompts:
        ids["prompt_id"] = prompts[0]["id"]
    return ids


def fuzz(dev_server, token: str, tmp_path) -> tuple[int, str]:
    # The one installed beside this interpreter (the project's virtual environment), else one on PATH.
    beside = os.path.join(os.path.dirname(sys.executable), "schemathesis")
    executable = beside if os.path.exists(beside) else shutil.which("schemathesis")
    assert executable, "schemathesis is not installed (pip install -e '.[dev]')"
    command = [
        executable,
        "--config-file",
        str(tmp_path / "schemathesis.toml"),
        "run",
        f"{dev_server.url}/openapi.json",
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        CHECKS,
        "--max-examples",
        os.environ.get("FUZZ_MAX_EXAMPLES", "10"),
        "--phases",
        os.environ.get("FUZZ_PHASES", "examples,fuzzing"),
        "--exclude-path",
        "/auth/logout",
        "--workers",
        "2",
        "--no-color",
    ]
    if os.environ.get("FUZZ_SEED"):
        command += ["--seed", os.environ["FUZZ_SEED"]]
    run = subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=tmp_path)
    return run.returncode, run.stdout + run.stderr


def failures(output: str) -> str:
    """schemathesis's report of each failing case (with its curl command), without the long warning lists."""
    start = output.find("FAILURES")
    end = output.find("SUMMARY", start)
    return output[start:end] if start != -1 else output[-6000:]


def figures(output: str) -> str:
    operations = re.search(r"Tested:\s*(\d+)", output)
    cases = re.search(r"(\d+) generated, (.*)", output)
    return (
        f"operations tested: {operations.group(1) if operations else '?'}; "
        f"cases: {cases.group(1) + ' generated, ' + cases.group(2) if cases else '?'}"
    )


@pytest.fixture(scope="module")
def dev_server(tmp_path_factory):
    """A stack of the fuzzer's own: as an admin it changes shared data (flows, items, prompts) the other end-to-end
    tests rely on."""
    from tests.e2e.conftest import running_dev_server

    with running_dev_server(tmp_path_factory.mktemp("momentum-fuzz-home")) as server:
        yield server


@pytest.mark.parametrize("role", ["user", "admin"])
def test_no_operation_answers_a_server_error_or_breaks_its_schema(dev_server, role, tmp_path):
    token = dev_server.create_user(f"fuzz-{role}-{uuid.uuid4().hex[:6]}@example.com", admin=role == "admin")
    ids = real_ids(dev_server, token, admin=role == "admin")
    (tmp_path / "schemathesis.toml").write_text(
        "[parameters]\n" + "".join(f'"path.{name}" = "{value}"\n' for name, value in ids.items())
    )
    code, output = fuzz(dev_server, token, tmp_path)
    print(f"\nschemathesis as {role}: {figures(output)}; ids pinned: {len(ids)}", file=sys.stderr)
    assert "schemathesis.toml" in output  # the pinned ids were read
    assert code == 0, failures(output)
