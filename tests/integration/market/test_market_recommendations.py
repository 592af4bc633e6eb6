"""Recommendations: scored from co-purchases, interests, category affinity, affordability and availability."""

import argparse
import dataclasses
import json
import uuid

import pytest
from momentum.market import recommendations

from tests.integration.market.helpers import buy, fund, make_item, new_category

EVERYTHING = 10_000  # keep every scored candidate, so a test can look at all of them


@pytest.fixture()
def scene(api, make_user, conn):
    """Alice bought an amp sim; Bob and Cleo bought it too, and a mixing course with it. Alice likes glitch."""
    shop = api("purchase")
    category, other_category = new_category(), new_category()
    word = f"glitch{uuid.uuid4().hex[:6]}"
    amp = make_item(conn, name="Amp sim", category=category, cost_coins=10)
    course = make_item(conn, name="Mixing course", category=category, cost_coins=10)
    potion = make_item(conn, name="Focus potion", category=category, cost_coins=10, is_consumable=True)
    glitch = make_item(
        conn, name="Stutter pack", category=other_category, cost_coins=10, description=f"Chopped {word} textures"
    )
    pricey = make_item(
        conn,
        name="Golden desk",
        category=other_category,
        cost_coins=1_000_000,
        description=f"A desk for {word} producers",
    )
    sold_out = make_item(conn, name="Sold out", category=category, total_stock=0)
    alice, bob, cleo = make_user(), make_user(), make_user()
    for user in (alice, bob, cleo):
        fund(conn, user.id, 100)
        assert buy(shop, user, amp).status_code == 201
    for user in (bob, cleo):
        assert buy(shop, user, course).status_code == 201
    assert buy(shop, alice, potion).status_code == 201
    conn.execute(
        "INSERT INTO user_interests (user_id, interest_key, interest_label) VALUES (%s, %s, %s)",
        (alice.id, word, word.title()),
    )
    return dict(
        alice=alice,
        bob=bob,
        cleo=cleo,
        amp=amp,
        course=course,
        potion=potion,
        glitch=glitch,
        pricey=pricey,
        sold_out=sold_out,
        word=word,
        users=[alice.id, bob.id, cleo.id],
    )


def stored(conn, user_id):
    rows = conn.execute("SELECT item_id, score, reason FROM market_recommendations WHERE user_id = %s", (user_id,))
    return {item: (score, reason) for item, score, reason in rows}


def test_signals_become_scores_and_reasons(conn, scene):
    recommendations.refresh_statistics(conn)
    recommendations.recommend_for(conn, scene["users"], per_user=EVERYTHING)
    alice = stored(conn, scene["alice"].id)

    assert scene["amp"] not in alice  # owned, and not consumable
    assert scene["sold_out"] not in alice  # cannot be bought now
    assert alice[scene["course"]][1] == "Producers who bought Amp sim also bought this"
    assert alice[scene["glitch"]][1] == f"Matches your interest in {scene['word'].title()}"
    assert scene["potion"] in alice  # owned, but consumable
    assert alice[scene["course"]][0] > alice[scene["glitch"]][0] > alice[scene["pricey"]][0]
    assert all(0 < score <= 1 for score, _ in alice.values())


def test_affordability_counts(conn, scene):
    recommendations.refresh_statistics(conn)
    recommendations.recommend_for(conn, scene["users"], per_user=EVERYTHING)
    alice, bob = stored(conn, scene["alice"].id), stored(conn, scene["bob"].id)
    # Both match Alice's interest; only the price tells them apart.
    assert alice[scene["glitch"]][0] > alice[scene["pricey"]][0]
    # Nothing speaks for either to Bob but the price: the one he cannot afford has no score at all.
    assert bob[scene["glitch"]][1] == "Within your budget"
    assert scene["pricey"] not in bob


def test_a_run_replaces_each_users_rows(conn, scene):
    recommendations.refresh_statistics(conn)
    recommendations.recommend_for(conn, scene["users"], per_user=EVERYTHING)
    first = stored(conn, scene["alice"].id)
    recommendations.recommend_for(conn, scene["users"], per_user=EVERYTHING)
    assert stored(conn, scene["alice"].id).keys() == first.keys()

    recommendations.recommend_for(conn, scene["users"], per_user=2)
    assert len(stored(conn, scene["alice"].id)) == 2


def test_get_returns_the_callers_best_first_without_what_they_bought_since(api, conn, scene):
    http = api("market")
    recommendations.refresh_statistics(conn)
    recommendations.recommend_for(conn, scene["users"], per_user=EVERYTHING)
    assert buy(api("purchase"), scene["alice"], scene["course"]).status_code == 201

    response = http.get("/market/recommendations", headers=scene["alice"].headers)

    assert response.status_code == 200
    assert response.json_body["next_cursor"] is None
    listed = response.json_body["items"]
    assert [r["score"] for r in listed] == sorted((r["score"] for r in listed), reverse=True)
    ids = {r["item"]["id"] for r in listed}
    assert str(scene["course"]) not in ids
    assert str(scene["glitch"]) in ids
    assert ids <= {str(i) for i in stored(conn, scene["alice"].id)}
    assert all(r["item"]["purchasable"] for r in listed)


@pytest.fixture()
def queues(monkeypatch):
    """The template's queues on moto, as the local stack creates them; the scheduled function points at them."""
    import boto3
    from momentum.config import get_settings
    from momentum_infra import localstack
    from moto import mock_aws

    with mock_aws():
        wired = localstack.wire_uploads(None, "momentum-uploads-test")
        monkeypatch.setenv("RECOMMENDATIONS_QUEUE_URL", wired["RecommendationsQueue"])
        get_settings.cache_clear()
        try:
            yield boto3.client("sqs"), wired
        finally:
            monkeypatch.delenv("RECOMMENDATIONS_QUEUE_URL")
            get_settings.cache_clear()


def drain(sqs, queue_url) -> list[dict]:
    messages = []
    while batch := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", []):
        messages += batch
        sqs.delete_message_batch(
            QueueUrl=queue_url,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)],
        )
    return messages


def test_the_schedule_queues_ranges_that_cover_every_user_once(conn, queues, monkeypatch, make_user):
    from functions.scheduled.app import enqueue_recommendations

    sqs, wired = queues
    for _ in range(4):  # at least two ranges
        make_user()
    monkeypatch.setattr(recommendations, "JOB", dataclasses.replace(recommendations.JOB, batch=3))

    result = enqueue_recommendations({}, None)

    ranges = [json.loads(m["Body"]) for m in drain(sqs, wired["RecommendationsQueue"])]
    everyone = [str(i) for (i,) in conn.execute("SELECT id FROM users ORDER BY id")]
    assert result == {"batches": len(ranges)} and len(ranges) == -(-len(everyone) // 3)
    ranges.sort(key=lambda r: r["through"])
    assert ranges[0]["after"] is None and ranges[-1]["through"] == everyone[-1]
    assert all(later["after"] == earlier["through"] for earlier, later in zip(ranges, ranges[1:], strict=False))
    assert [r["through"] for r in ranges[:-1]] == everyone[2::3][: len(ranges) - 1]  # three users in each


def test_a_batch_computes_its_range_and_a_bad_message_fails_alone(conn, scene):
    from functions.recommend_batch.app import handler

    conn.execute("DELETE FROM market_recommendations WHERE user_id = ANY(%s)", (scene["users"],))
    alice = scene["alice"].id
    before_alice = conn.execute("SELECT id FROM users WHERE id < %s ORDER BY id DESC LIMIT 1", (alice,)).fetchone()
    just_alice = {"after": str(before_alice[0]) if before_alice else None, "through": str(alice)}
    event = {
        "Records": [
            {"messageId": "good", "body": json.dumps(just_alice)},
            {"messageId": "bad", "body": json.dumps({"after": None, "through": "not-a-uuid"})},
        ]
    }

    assert handler(event, None) == {"batchItemFailures": [{"itemIdentifier": "bad"}]}
    assert stored(conn, alice)
    assert not stored(conn, scene["bob"].id) and not stored(conn, scene["cleo"].id)  # outside the range


def test_the_nightly_fan_out_and_the_cli_compute_for_everyone(conn, scene, queues, capsys):
    from momentum_infra import recommend_cmd

    from functions.recommend_batch.app import handler
    from functions.scheduled.app import enqueue_recommendations

    sqs, wired = queues
    conn.execute("DELETE FROM market_recommendations WHERE user_id = ANY(%s)", (scene["users"],))
    enqueue_recommendations({}, None)
    for message in drain(sqs, wired["RecommendationsQueue"]):
        event = {"Records": [{"messageId": message["MessageId"], "body": message["Body"]}]}
        assert handler(event, None) == {"batchItemFailures": []}

    (users,) = conn.execute("SELECT count(*) FROM users").fetchone()
    assert all(stored(conn, user_id) for user_id in scene["users"])

    parser = argparse.ArgumentParser()
    recommend_cmd.add_arguments(parser)
    assert recommend_cmd.run(parser.parse_args(["--batch-users", "2", "--per-user", "3"])) == 0
    assert f"for {users} users" in capsys.readouterr().err
    assert len(stored(conn, scene["alice"].id)) == 3
    assert recommend_cmd.run(parser.parse_args(["--per-user", "0"])) == 2


def test_a_purchase_without_an_item_is_left_out_of_the_shop_statistics(conn, scene):
    # The schema lets a purchase have no item (user_purchases.item_id is nullable): it counts for no item.
    conn.execute(
        "INSERT INTO user_purchases (user_id, item_id, cost_coins, quantity) VALUES (%s, NULL, 1, 1)",
        (scene["alice"].id,),
    )
    recommendations.refresh_statistics(conn)
    held = conn.execute("SELECT count(*) FROM market_item_holders WHERE item_id IS NULL").fetchone()[0]
    assert held == 0
    assert conn.execute("SELECT holders FROM market_item_holders WHERE item_id = %s", (scene["amp"],)).fetchone() == (
        3,
    )


def test_a_range_reads_the_shop_statistics_of_the_last_refresh(conn, scene):
    # The shop-wide counts come from the producer's refresh, not from every purchase again in each range.
    recommendations.refresh_statistics(conn)
    holders = dict(conn.execute("SELECT item_id, holders FROM market_item_holders").fetchall())
    expected = dict(
        conn.execute(
            "SELECT item_id, count(DISTINCT user_id) FROM user_purchases "
            "WHERE status <> 'refunded' AND item_id IS NOT NULL GROUP BY item_id"
        ).fetchall()
    )
    assert holders == expected
    conn.execute("DELETE FROM market_item_pairs")
    recommendations.recommend_for(conn, scene["users"], per_user=EVERYTHING)
    assert not any("also bought" in reason for _, reason in stored(conn, scene["alice"].id).values())
    recommendations.refresh_statistics(conn)
    recommendations.recommend_for(conn, scene["users"], per_user=EVERYTHING)
    assert any("also bought" in reason for _, reason in stored(conn, scene["alice"].id).values())
