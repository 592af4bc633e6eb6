"""Every route of template.yaml that takes an id is claimed by its domain's tests, in one of two ways:

- ``ISOLATED_ROUTES`` in a test module: the id names a user's own row, and the module's isolation test shows that
  another user's id answers 404 and changes nothing;
- ``SHARED_ROUTES``: the id names something that belongs to no user (the catalog, prompts, the user an admin acts
  on); admin routes among them answer 403 to users (tests/integration/test_bad_input.py).

So a new domain's id routes fail here until its isolation test lists them.
"""

import importlib
import pkgutil

from momentum_infra import template as tpl

import tests.integration

ID_ROUTES = {(r.method, r.path) for r in tpl.api_routes() if "{" in r.path}


def declared(name: str) -> dict[tuple[str, str], list[str]]:
    """(method, path) -> the test modules that list it in their ``name`` set."""
    routes: dict[tuple[str, str], list[str]] = {}
    for info in pkgutil.walk_packages(tests.integration.__path__, "tests.integration."):
        if info.name == __name__ or not info.name.rsplit(".", 1)[-1].startswith("test_"):
            continue
        for route in getattr(importlib.import_module(info.name), name, ()):
            routes.setdefault(route, []).append(info.name)
    return routes


def test_every_id_route_is_isolated_or_shared():
    claimed = declared("ISOLATED_ROUTES").keys() | declared("SHARED_ROUTES").keys()
    assert sorted(ID_ROUTES - claimed) == []


def test_claimed_routes_exist_in_the_template():
    claimed = declared("ISOLATED_ROUTES").keys() | declared("SHARED_ROUTES").keys()
    assert sorted(claimed - ID_ROUTES) == []


def test_no_route_is_both_isolated_and_shared():
    assert sorted(declared("ISOLATED_ROUTES").keys() & declared("SHARED_ROUTES").keys()) == []


def test_each_domain_with_owned_rows_has_an_isolation_test():
    modules = {module for owners in declared("ISOLATED_ROUTES").values() for module in owners}
    domains = {module.split(".")[2] for module in modules}
    assert {"fitness", "market", "reference"} <= domains
