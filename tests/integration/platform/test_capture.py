"""Capture tools: inbox items, ideas, infobase entries and references — CRUD, tags, pinning, archive, keyset
pages, full-text search, and processing or converting inbox items."""

import pytest

KINDS = {
    "/capture/inbox": {"title": "Sidechain the pads", "description": "Duck them under the kick"},
    "/capture/ideas": {"title": "Sidechain the pads", "content": "Duck them under the kick"},
    "/capture/infobase": {"title": "Sidechain the pads", "content": "Duck them under the kick"},
    "/capture/references": {
        "title": "Sidechain the pads",
        "content": "Duck them under the kick",
        "url": "https://example.com/sidechain",
    },
}


@pytest.mark.parametrize("base", KINDS)
def test_crud(caller, base):
    me = caller()
    created = me.post(base, KINDS[base] | {"tags": ["mix", "pads"]})
    path = f"{base}/{created['id']}"
    assert me.get(path) == created
    assert created["tags"] == ["mix", "pads"]

    changed = me.patch(path, {"title": "Sidechain the strings"})
    assert changed["title"] == "Sidechain the strings"
    assert changed["tags"] == ["mix", "pads"]  # fields not sent keep their value

    me.delete(path)
    assert me.request("GET", path)[0] == 404
    assert me.request("DELETE", path)[0] == 404


@pytest.mark.parametrize("base", KINDS)
def test_required_fields_cannot_be_cleared_or_missing(caller, base):
    me = caller()
    created = me.post(base, KINDS[base])
    assert me.request("PATCH", f"{base}/{created['id']}", {"title": None})[0] == 422
    assert me.request("POST", base, {"content": "no title"})[0] == 422
    assert me.request("POST", base, KINDS[base] | {"tags": ["x" * 51]})[0] == 422
    assert me.request("POST", base, KINDS[base] | {"owner": "someone"})[0] == 422
    assert me.get(f"{base}/{created['id']}")["title"] == "Sidechain the pads"


@pytest.mark.parametrize("base", KINDS)
def test_tag_filter_search_and_pages(caller, base):
    me = caller()
    ids = [
        me.post(base, {**KINDS[base], "title": f"Note {i}", "tags": ["even" if i % 2 == 0 else "odd"]})["id"]
        for i in range(5)
    ]
    searched = me.post(base, {**KINDS[base], "title": "Parallel compression on drums", "tags": ["odd"]})

    evens = me.get(f"{base}?tag=even")["items"]
    assert {i["id"] for i in evens} == {ids[0], ids[2], ids[4]}

    # Full-text: English stemming finds "compressing" in "compression"
    found = me.get(f"{base}?q=compressing%20drums")["items"]
    assert [i["id"] for i in found] == [searched["id"]]
    assert me.get(f"{base}?q=compressing&tag=even")["items"] == []

    # Keyset pages of 2 walk every item once, newest first
    seen, cursor = [], None
    while True:
        page = me.get(f"{base}?limit=2" + (f"&cursor={cursor}" if cursor else ""))
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == [searched["id"], *reversed(ids)]


@pytest.mark.parametrize("base", ["/capture/ideas", "/capture/infobase", "/capture/references"])
def test_pinned_first(caller, base):
    me = caller()
    old = me.post(base, KINDS[base] | {"title": "Old"})
    me.post(base, KINDS[base] | {"title": "New"})
    me.patch(f"{base}/{old['id']}", {"is_pinned": True})
    assert [i["title"] for i in me.get(base)["items"]] == ["Old", "New"]
    assert [i["title"] for i in me.get(f"{base}?pinned=true")["items"]] == ["Old"]


def test_the_search_uses_the_expression_index(conn):
    with conn.transaction():
        conn.execute("SET LOCAL enable_seqscan = off")  # a small test table would be scanned otherwise
        plan = conn.execute(
            "EXPLAIN SELECT id FROM ideas WHERE "
            "to_tsvector('english'::regconfig, title || ' ' || coalesce(content, '')) @@ "
            "websearch_to_tsquery('english'::regconfig, 'kick')"
        ).fetchall()
    assert "ideas_search_idx" in "\n".join(line for (line,) in plan)


@pytest.mark.parametrize(
    "url", ["ftp://example.com/x", "javascript:alert(1)", "example.com", "https://", "https://exa mple.com"]
)
def test_reference_urls_are_validated(caller, url):
    assert caller().request("POST", "/capture/references", {"title": "x", "url": url})[0] == 422


def test_archived_references_are_listed_apart(caller):
    me = caller()
    kept = me.post("/capture/references", {"title": "Kept"})
    gone = me.post("/capture/references", {"title": "Gone"})
    me.patch(f"/capture/references/{gone['id']}", {"is_archived": True})
    assert [r["id"] for r in me.get("/capture/references")["items"]] == [kept["id"]]
    assert [r["id"] for r in me.get("/capture/references?archived=true")["items"]] == [gone["id"]]


def test_inbox_lists_unprocessed_first_and_processing_keeps_the_first_time(caller):
    me = caller()
    first = me.post("/capture/inbox", {"title": "First"})
    me.post("/capture/inbox", {"title": "Second"})
    processed = me.post(f"/capture/inbox/{first['id']}/process", expect=200)
    assert processed["is_processed"] and processed["processed_at"]
    again = me.post(f"/capture/inbox/{first['id']}/process", expect=200)
    assert again["processed_at"] == processed["processed_at"]

    assert [i["title"] for i in me.get("/capture/inbox")["items"]] == ["Second", "First"]
    assert [i["title"] for i in me.get("/capture/inbox?processed=false")["items"]] == ["Second"]


@pytest.mark.parametrize(("to", "body"), [("idea", {}), ("reference", {"url": "https://example.com/kick"})])
def test_convert_an_inbox_item(caller, to, body):
    me = caller()
    item = me.post("/capture/inbox", {"title": "Layer the kick", "description": "Sub + click", "tags": ["drums"]})

    converted = me.post(f"/capture/inbox/{item['id']}/convert", {"to": to, "category": "drums"} | body)

    made = converted[to]
    assert (made["title"], made["content"], made["tags"], made["category"]) == (
        "Layer the kick",
        "Sub + click",
        ["drums"],
        "drums",
    )
    assert converted["item"]["is_processed"]
    base = "/capture/ideas" if to == "idea" else "/capture/references"
    assert me.get(f"{base}/{made['id']}") == made
    status, error = me.request("POST", f"/capture/inbox/{item['id']}/convert", {"to": to})
    assert (status, error["error"]["code"]) == (409, "already_processed")
    assert len(me.get(base)["items"]) == 1
