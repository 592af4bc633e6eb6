"""The type checker refuses a view that hands the layer the wrong model (mypy over a small module of views)."""

import textwrap

import pytest

mypy_api = pytest.importorskip("mypy.api")

VIEWS = """
from uuid import UUID

from momentum.http import Context
from momentum.market import catalog
from momentum.market.models import Item, ItemIn, ItemPatch


def right(ctx: Context[ItemPatch], item_id: UUID) -> Item:
    return catalog.update_item(ctx.conn, ctx.user, item_id, ctx.body, ctx.client)


def wrong(ctx: Context[ItemIn], item_id: UUID) -> Item:
    return catalog.update_item(ctx.conn, ctx.user, item_id, ctx.body, ctx.client)
"""


@pytest.mark.slow
def test_a_view_passing_the_wrong_model_fails_the_type_check(tmp_path):
    module = tmp_path / "views.py"
    module.write_text(textwrap.dedent(VIEWS))
    # Incremental: the checked layer comes from mypy's cache of the project's own run.
    out, _, status = mypy_api.run([str(module), "--strict", "--follow-imports=silent"])
    errors = [line for line in out.splitlines() if ": error:" in line]
    assert status == 1, out
    assert len(errors) == 1, out
    wrong_call = (
        textwrap.dedent(VIEWS).splitlines().index("def wrong(ctx: Context[ItemIn], item_id: UUID) -> Item:") + 2
    )
    assert f"views.py:{wrong_call}:" in errors[0], out
    assert '"update_item" has incompatible type "ItemIn"; expected "ItemPatch"' in errors[0], out
