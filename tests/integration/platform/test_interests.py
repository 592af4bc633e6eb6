"""Interests come from a known vocabulary with labels, and the market recommends what matches them first."""

from momentum.market import recommendations
from momentum.platform.interests import VOCABULARY

from tests.integration.market.helpers import make_item


def test_the_vocabulary_has_keys_and_labels(caller):
    vocabulary = caller().get("/interests")
    assert {v["key"]: v["label"] for v in vocabulary} == VOCABULARY
    assert {"key": "mixing", "label": "Mixing"} in vocabulary


def test_set_replaces_and_lists_with_labels(caller, conn):
    me = caller()
    me.put("/me/interests", {"keys": ["mixing", "drums", "mixing"]})
    kept = me.put("/me/interests", {"keys": ["drums", "sound_design"]})

    assert sorted((i["interest_key"], i["interest_label"]) for i in kept) == [
        ("drums", "Drums and rhythm"),
        ("sound_design", "Sound design"),
    ]
    assert me.get("/me/interests") == kept
    assert conn.execute("SELECT count(*) FROM user_interests WHERE user_id = %s", (me.id,)).fetchone()[0] == 2


def test_unknown_interests_are_refused_and_nothing_changes(caller):
    me = caller()
    me.put("/me/interests", {"keys": ["mixing"]})
    status, error = me.request("PUT", "/me/interests", {"keys": ["drums", "basket_weaving"]})
    assert (status, error["error"]["code"]) == (422, "unknown_interest")
    assert error["error"]["details"]["unknown"] == ["basket_weaving"]
    assert [i["interest_key"] for i in me.get("/me/interests")] == ["mixing"]


def test_an_empty_list_clears_them(caller):
    me = caller()
    me.put("/me/interests", {"keys": ["mixing"]})
    assert me.put("/me/interests", {"keys": []}) == []


def test_a_user_interested_in_mixing_gets_mixing_items_first(caller, conn):
    # Given two items alike in every signal but their subject, and two users, one interested in mixing
    fields = {"cost_coins": 0, "total_stock": 3}
    mixing = make_item(conn, name="Mixing checklist", description="Gain staging to bus compression", **fields)
    drums = make_item(conn, name="Drum sample pack", description="Kicks, snares and hats", **fields)
    fan, other = caller(), caller()
    fan.put("/me/interests", {"keys": ["mixing"]})

    recommendations.refresh_statistics(conn)

    recommendations.recommend_for(conn, [fan.id, other.id], per_user=100)

    # Then the fan's first recommendation is about mixing, and the mixing item comes before its twin
    fans = fan.get("/market/recommendations")["items"]
    assert "mixing" in fans[0]["item"]["name"].lower() + " " + (fans[0]["item"]["description"] or "").lower()
    order = [r["item"]["id"] for r in fans]
    assert order.index(str(mixing)) < order.index(str(drums))
    reason = {r["item"]["id"]: r["reason"] for r in fans}[str(mixing)]
    assert reason == "Matches your interest in Mixing"

    # While for the other user the twins score the same
    scores = {r["item"]["id"]: r["score"] for r in other.get("/market/recommendations")["items"]}
    assert scores[str(mixing)] == scores[str(drums)]
