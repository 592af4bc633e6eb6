"""The OpenAPI document describes the books routes as they behave: the CSV import body, the Idempotency-Key of a
session log, and the payment decisions in the summaries."""

from momentum_infra.openapi import openapi_document


def test_the_document_describes_the_books_routes():
    paths = openapi_document()["paths"]

    assert set(paths["/books/import"]["post"]["requestBody"]["content"]) == {"text/csv"}
    log = paths["/books/{book_id}/sessions"]["post"]
    assert "Idempotency-Key" in [p["name"] for p in log["parameters"]]
    assert "capped at 100 XP, 50 coins and 10 stars a day" in log["description"]
    assert "stays paid" in paths["/books/{book_id}/sessions/{session_id}"]["patch"]["description"]
    assert "stays paid" in paths["/books/{book_id}/sessions/{session_id}"]["delete"]["description"]
    assert {"to_read", "reading", "completed", "abandoned"} <= set(
        next(p for p in paths["/books"]["get"]["parameters"] if p["name"] == "status")["schema"]["anyOf"][0]["enum"]
    )
