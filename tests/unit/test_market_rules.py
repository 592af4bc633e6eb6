"""The market's pure rules: item validation, the daily amount, SQL error mapping, seed windows."""

import json
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from momentum.dberrors import domain_error
from momentum.errors import Conflict, Gone, InsufficientCoins, InvalidInput, NotFound
from momentum.market.models import ItemIn, ItemPatch, stock_and_window_problems
from momentum.market.rewards import daily_reward_amount
from momentum_infra.seed import market as seed
from pydantic import ValidationError

BASE = {"name": "Neon", "category": "theme", "cost_coins": 300}


def test_a_limited_item_starts_full():
    item = ItemIn.model_validate_json(json.dumps(BASE | {"total_stock": 25}))
    assert (item.total_stock, item.remaining_stock) == (25, 25)
    assert ItemIn.model_validate_json(json.dumps(BASE)).remaining_stock is None


@pytest.mark.parametrize(
    "values, field",
    [
        ({"total_stock": 5, "remaining_stock": 6}, "remaining_stock"),
        ({"total_stock": None, "remaining_stock": 1}, "remaining_stock"),
        (
            {"available_from": datetime(2030, 1, 2, tzinfo=UTC), "available_until": datetime(2030, 1, 1, tzinfo=UTC)},
            "available_until",
        ),
        (
            {"available_from": datetime(2030, 1, 1, tzinfo=UTC), "available_until": datetime(2030, 1, 1, tzinfo=UTC)},
            "available_until",
        ),
    ],
)
def test_stock_and_window_problems(values, field):
    assert [f for f, _ in stock_and_window_problems(values)] == [field]


def test_a_consistent_item_has_no_problems():
    assert (
        stock_and_window_problems(
            {
                "total_stock": 5,
                "remaining_stock": 5,
                "available_from": None,
                "available_until": datetime(2030, 1, 1, tzinfo=UTC),
            }
        )
        == []
    )


@pytest.mark.parametrize(
    "body", [{}, {"name": None}, {"is_active": None}, {"rarity": "mythic"}, {"cost_coins": "5"}, {"extra": 1}]
)
def test_invalid_patches(body):
    with pytest.raises(ValidationError):
        ItemPatch.model_validate_json(json.dumps(body))


def test_a_patch_may_clear_nullable_fields():
    patch = ItemPatch.model_validate_json(json.dumps({"description": None, "total_stock": None}))
    assert patch.model_dump(exclude_unset=True) == {"description": None, "total_stock": None}


@pytest.mark.parametrize("day, coins, xp", [(1, 10, 5), (3, 30, 15), (7, 70, 35), (50, 70, 35), (0, 10, 5)])
def test_daily_amount(day, coins, xp):
    assert daily_reward_amount(day) == (coins, xp)


def sql_error(sqlstate, detail=None, message="boom"):
    return SimpleNamespace(
        sqlstate=sqlstate, diag=SimpleNamespace(message_detail=json.dumps(detail or {}), message_primary=message)
    )


@pytest.mark.parametrize(
    "sqlstate, kind, code, status",
    [
        ("MM404", NotFound, "not_found", 404),
        ("MM001", Conflict, "out_of_stock", 409),
        ("MM002", Conflict, "not_available", 409),
        ("MM003", Conflict, "already_owned", 409),
        ("MM004", Conflict, "idempotency_key_reused", 409),
        ("MM005", Conflict, "already_claimed", 409),
        ("MM006", Gone, "expired", 410),
        ("MM422", InvalidInput, "invalid_input", 422),
        ("MC001", InsufficientCoins, "insufficient_coins", 409),
    ],
)
def test_sql_errors_map_to_domain_errors(sqlstate, kind, code, status):
    error = domain_error(sql_error(sqlstate, {"resource": "item", "needed": 5}))
    assert isinstance(error, kind)
    assert (error.code, error.status) == (code, status)


def test_unknown_sql_errors_have_no_domain_meaning():
    assert domain_error(sql_error("XX000")) is None


def test_details_travel_with_the_error():
    error = domain_error(sql_error("MM001", {"remaining_stock": 2, "requested": 3}))
    assert error.details == {"remaining_stock": 2, "requested": 3}


@pytest.mark.parametrize(
    "now, season, next_season",
    [
        (datetime(2030, 2, 10, tzinfo=UTC), (1, 4), (4, 7)),
        (datetime(2030, 11, 30, tzinfo=UTC), (10, 1), (1, 4)),
    ],
)
def test_seasonal_windows_follow_the_quarter(now, season, next_season):
    start, end = seed.window("season", now)
    assert (start.month, end.month) == season and start <= now < end
    upcoming = seed.window("next_season", now)
    assert (upcoming[0].month, upcoming[1].month) == next_season and upcoming[0] == end


def test_the_starter_catalog_covers_the_shop():
    keys = [item[0] for item in seed.ITEMS]
    assert len(keys) == len(set(keys)) >= 20
    assert {item[3] for item in seed.ITEMS} == {"common", "rare", "epic", "legendary"}
    assert {"avatar", "theme", "boost", "consumable"} <= {item[2] for item in seed.ITEMS}
    assert any(item[5] for item in seed.ITEMS) and any(item[6] for item in seed.ITEMS)
    assert any(item[7] for item in seed.ITEMS)
