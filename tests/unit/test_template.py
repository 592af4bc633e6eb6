"""template.yaml is the map of what runs where: it must deploy, and agree with the apps' routes."""

import copy
import importlib
import json
import subprocess
import sys

import pytest
from momentum_infra import template as tpl


def packaged(template: dict) -> dict:
    """What `sam package` does before deploying: local code folders become S3 URIs."""
    template = copy.deepcopy(template)
    for resource in template["Resources"].values():
        props = resource.get("Properties", {})
        for key in ("CodeUri", "ContentUri"):
            if isinstance(props.get(key), str):
                props[key] = f"s3://artifacts/{props[key].strip('/')}.zip"
    return template


@pytest.fixture(scope="module")
def translated(tmp_path_factory, monkeypatch_module):
    from samtranslator.translator.transform import transform

    class NoManagedPolicies:
        def load(self):
            return {}

    monkeypatch_module.setenv("AWS_DEFAULT_REGION", "us-east-1")
    out = tmp_path_factory.mktemp("sam") / "translated.json"
    out.write_text(json.dumps(transform(packaged(tpl.load_template()), {}, NoManagedPolicies())))
    return out


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def cfn_lint(path) -> list[str]:
    from cfnlint.api import lint_file

    return [str(match) for match in lint_file(path)]


def test_the_raw_template_passes_cfn_lint():
    assert cfn_lint(tpl.TEMPLATE) == []


# cfn-lint takes about ten seconds per template. The raw template's run (which includes cfn-lint's own SAM
# transform) is part of `make check`; the run on our translation and the check of the checker are left to `make test`.
@pytest.mark.slow
def test_the_translated_template_passes_cfn_lint(translated):
    assert cfn_lint(translated) == []


@pytest.mark.slow
def test_cfn_lint_reports_a_broken_translated_template(translated, tmp_path):
    broken = json.loads(translated.read_text())
    broken["Resources"]["AnalysisQueue"]["Properties"]["VisibilityTimeout"] = "a while"
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken))
    assert cfn_lint(path)


def test_translation_catches_a_misspelled_event_property(monkeypatch_module):
    from samtranslator.model.exceptions import InvalidDocumentException
    from samtranslator.translator.transform import transform

    broken = packaged(tpl.load_template())
    broken["Resources"]["MeFunction"]["Properties"]["Events"]["Wallet"]["Properties"]["Pathh"] = "/me/wallet"

    class NoManagedPolicies:
        def load(self):
            return {}

    with pytest.raises(InvalidDocumentException):
        transform(broken, {}, NoManagedPolicies())


def test_routes_in_the_template_equal_routes_in_the_apps():
    in_template = {(r.method, r.path, r.module) for r in tpl.api_routes()}
    in_apps = set()
    for module in set(tpl.function_modules().values()):
        app = getattr(importlib.import_module(module), "app", None)  # queue-triggered functions have no routes
        routes = getattr(app, "routes", {})
        in_apps |= {(method, path, module) for path, entries in routes.items() for method in entries}
    assert in_template == in_apps


def test_every_function_folder_is_in_the_template():
    from momentum_infra.pg import REPO_ROOT

    folders = {p.parent.name for p in (REPO_ROOT / "functions").glob("*/app.py")}
    assert folders == {m.split(".")[1] for m in tpl.function_modules().values()}


API_MODULES = sorted({r.module for r in tpl.api_routes()})


# One fresh interpreter imports the API functions one after another and notes which import brought numpy in: as
# fast as one import, and an import that pulls numpy in is still named (only a second culprit after it is hidden).
IMPORT_EACH = """
import importlib, sys
for module in sys.argv[1:]:
    before = "numpy" in sys.modules
    importlib.import_module(module)
    print(module, "numpy" in sys.modules and not before)
"""


@pytest.fixture(scope="module")
def imports_numpy() -> dict[str, bool]:
    """Whether importing each API function pulls in numpy."""
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_EACH, *API_MODULES], capture_output=True, text=True, check=True
    )
    answers = dict(line.split() for line in result.stdout.splitlines())
    return {module: answers[module] == "True" for module in API_MODULES}


@pytest.mark.parametrize("module", API_MODULES)
def test_api_functions_do_not_import_numpy(module, imports_numpy):
    assert imports_numpy[module] is False
