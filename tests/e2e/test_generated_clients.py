"""Clients generated from the OpenAPI document that `momentum dev` serves, as the people who call the API make them:
a Python client (openapi-python-client) that drives a real scenario, and TypeScript types (openapi-typescript) that
must type-check. Generated code is a build artefact: it lives in a temporary folder, never in the repository."""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.e2e.test_reference_upload import post_form
from tests.reference_support import wav_bytes

pytestmark = pytest.mark.e2e

CLIENTS_DIR = Path(__file__).resolve().parents[2] / "clients"


@pytest.fixture(scope="module")
def document(dev_server) -> dict:
    with urllib.request.urlopen(dev_server.url + "/openapi.json", timeout=30) as response:
        return json.load(response)


@pytest.fixture(scope="module")
def python_client(document, tmp_path_factory):
    """The generated package, imported; generation must print no warning."""
    folder = tmp_path_factory.mktemp("python-client")
    spec = folder / "openapi.json"
    spec.write_text(json.dumps(document))
    package = folder / "momentum_client"
    generator = shutil.which("openapi-python-client") or str(Path(sys.executable).parent / "openapi-python-client")
    result = subprocess.run(
        [generator, "generate", "--path", str(spec), "--output-path", str(package), "--meta", "none"]
        + ["--config", str(CLIENTS_DIR / "openapi-python-client.yaml")],
        capture_output=True,
        text=True,
        timeout=300,
        # The generator formats what it writes with ruff, found on PATH: the environment's own, not one the machine
        # may or may not have.
        env={**os.environ, "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])},
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "warning" not in output.lower(), output
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module("momentum_client"), package
    finally:
        sys.path.remove(str(folder))


def test_one_generated_class_per_component_schema(document, python_client):
    _, package = python_client
    classes = re.findall(r"^class (\w+)\b", "\n".join(p.read_text() for p in (package / "models").glob("*.py")), re.M)
    assert len(classes) == len(set(classes)), "a model was generated twice"
    # Object schemas become classes; a union such as pydantic's JsonValue stays a type alias.
    titles = {
        schema.get("title", name)
        for name, schema in document["components"]["schemas"].items()
        if schema.get("type") == "object" or "properties" in schema
    }
    expected = {re.sub(r"\W", "", title) for title in titles}
    assert expected <= set(classes), expected - set(classes)


def test_a_producers_day_through_the_generated_client(dev_server, python_client):
    client_module, _ = python_client
    models = importlib.import_module("momentum_client.models")

    def api(tag: str, operation: str):
        return importlib.import_module(f"momentum_client.api.{tag}.{operation}")

    clients = contextlib.ExitStack()  # each client holds an HTTP connection pool: closed at the end
    public = clients.enter_context(client_module.Client(base_url=dev_server.url, raise_on_unexpected_status=True))

    # Sign in by magic link, as the app does: the link arrives on the console in the local stack.
    address = f"client-{uuid.uuid4().hex[:8]}@example.com"
    sent = api("auth", "request_magic_link").sync_detailed(client=public, body=models.MagicLinkIn(email=address))
    assert sent.status_code == 202
    token = re.search(r"token=([\w-]+)", dev_server.wait_for_line(f"email={address.replace('@', '%40')}")).group(1)
    session = api("auth", "verify").sync(client=public, body=models.VerifyIn(email=address, token=token))
    assert isinstance(session, models.SessionOut)
    me = clients.enter_context(client_module.AuthenticatedClient(base_url=dev_server.url, token=session.token))
    user = api("me", "get_me").sync(client=me)
    assert user.email == address

    # Get coins from an admin grant.
    boss = clients.enter_context(
        client_module.AuthenticatedClient(
            base_url=dev_server.url,
            token=dev_server.create_user(f"boss-{uuid.uuid4().hex[:8]}@example.com", admin=True),
        )
    )
    granted = api("admin", "grant").sync_detailed(
        user_id=user.id, client=boss, body=models.GrantIn(coins=120, reason="client test"), idempotency_key="k1"
    )
    assert granted.status_code == 201

    # Buy the cheapest item, then read the typed error for one that cannot be afforded.
    items = api("market", "list_items").sync(client=me, limit=100).items
    by_cost = sorted((i for i in items if i.purchasable and i.cost_coins > 0), key=lambda i: i.cost_coins)
    cheap, dear = by_cost[0], by_cost[-1]
    assert cheap.cost_coins <= 120 < dear.cost_coins
    bought = api("market", "purchase").sync(item_id=cheap.id, client=me, body=models.PurchaseIn(quantity=1))
    assert isinstance(bought, models.Purchase) and bought.item_id == cheap.id
    refused = api("market", "purchase").sync_detailed(item_id=dear.id, client=me, body=models.PurchaseIn(quantity=1))
    assert refused.status_code == 409
    assert isinstance(refused.parsed, models.ErrorBody)
    assert refused.parsed.error.code == "insufficient_coins"

    # Log a set.
    exercise = api("fitness", "list_exercises").sync(client=me, limit=1).items[0]
    workout_session = api("fitness", "start_session").sync(client=me, body=models.SessionIn())
    logged = api("fitness", "log_set").sync(
        session_id=workout_session.id,
        client=me,
        body=models.SetIn(exercise_id=exercise.id, reps=8, weight=40.0),
    )
    assert isinstance(logged, models.LoggedSet) and logged.set_.reps == 8

    # Upload a track and read its analysis.
    audio = wav_bytes(seconds=6.0)
    created = api("reference", "create_track").sync(
        client=me, body=models.TrackIn(name="Client groove", mime_type="audio/wav", file_size_bytes=len(audio))
    )
    form = created.upload.to_dict()
    assert post_form(form, audio, "groove.wav") in (200, 201, 204)
    deadline = time.monotonic() + 60
    while (track := api("reference", "get_track").sync(track_id=created.track.id, client=me)).status != "ready":
        assert track.status != "error" and time.monotonic() < deadline, track
        time.sleep(0.5)
    analysis = api("reference", "get_analysis").sync(track_id=created.track.id, client=me)
    assert isinstance(analysis, models.Analysis) and analysis.status == "completed"
    assert track.bpm == pytest.approx(120, rel=0.04)
    clients.close()


def test_typescript_types_generate_and_type_check(document, tmp_path):
    """openapi-typescript over the served document, then `tsc --noEmit` over the types and an example that uses them."""
    npm = shutil.which("npm")
    if npm is None:
        if os.environ.get("CI"):
            pytest.fail("CI needs Node.js and npm for the TypeScript client check")
        pytest.skip("Node.js and npm are not installed; `make clients` needs them")
    subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--silent"], cwd=CLIENTS_DIR, check=True, timeout=300)
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps(document))
    bin_dir = CLIENTS_DIR / "node_modules" / ".bin"
    generated = CLIENTS_DIR / "build" / "momentum.d.ts"
    result = subprocess.run(
        [str(bin_dir / "openapi-typescript"), str(spec), "--output", str(generated)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0 and "warn" not in (result.stdout + result.stderr).lower(), result.stderr
    checked = subprocess.run(
        [str(bin_dir / "tsc"), "--noEmit", "--strict", str(generated), str(CLIENTS_DIR / "example.ts")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
