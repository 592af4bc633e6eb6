"""Each view's ``Context[Body, Query]`` annotation names the models its route validates, so the type checker's
view of ``ctx.body`` and ``ctx.query`` is what the glue hands the view at run time."""

import importlib
import typing
from typing import Any

import pytest
from momentum_infra import template as tpl

MODULES = sorted({r.module for r in tpl.api_routes()})


def _declared(view):
    """(body, query) as the view's ctx annotation declares them; bare ``Context`` means (None, None)."""
    args = typing.get_args(typing.get_type_hints(view)["ctx"])
    args = tuple(None if a is type(None) else a for a in args)
    return (args + (None, None))[:2]


@pytest.mark.parametrize("module", MODULES)
def test_each_view_context_names_its_routes_models(module):
    for op in importlib.import_module(module).app.operations:
        if _declared(op.view) == (Any, Any):
            continue  # one generic view serves several routes with their own models (the capture kinds)
        body = str if op.raw_body is not None else op.body  # a raw body reaches the view as text
        assert _declared(op.view) == (body, op.query), (
            f"{module}.{op.name}: annotate ctx as Context[{getattr(op.body, '__name__', None)}, "
            f"{getattr(op.query, '__name__', None)}]"
        )
