"""Shared by the fitness tests: a caller that talks to the fitness and log_set handlers as one user, and small
builders. The fixtures are in conftest.py beside this module."""

from __future__ import annotations

import json
import uuid


class Caller:
    """One user's view of the fitness API, through the real Chalice handlers as API Gateway would call them."""

    def __init__(self, api, user):
        self.user = user
        self.id = user.id
        self._fitness = api("fitness")
        self._log_set = api("log_set")

    def request(self, method: str, path: str, body=None, expect: int | None = None):
        client = self._log_set if "/sets" in path else self._fitness
        raw = body if isinstance(body, bytes) else json.dumps(body).encode() if body is not None else b""
        response = client.request(method, path, headers=self.user.headers, body=raw)
        data = json.loads(response.body) if response.body else None
        if expect is not None:
            assert response.status_code == expect, (method, path, response.status_code, data)
        return response.status_code, data

    def get(self, path, expect=200):
        return self.request("GET", path, expect=expect)[1]

    def post(self, path, body=None, expect=201):
        return self.request("POST", path, {} if body is None else body, expect=expect)[1]

    def put(self, path, body, expect=200):
        return self.request("PUT", path, body, expect=expect)[1]

    def patch(self, path, body, expect=200):
        return self.request("PATCH", path, body, expect=expect)[1]

    def delete(self, path, expect=204):
        return self.request("DELETE", path, expect=expect)[1]

    # -------------------------------------------------------- shortcuts

    def start_session(self, workout_id=None) -> str:
        body = {"workout_id": workout_id} if workout_id else {}
        return self.post("/fitness/sessions", body)["id"]

    def log(self, session_id, exercise_id, expect=201, **fields):
        body = {"exercise_id": str(exercise_id)} | fields
        return self.request("POST", f"/fitness/sessions/{session_id}/sets", body, expect=expect)[1]

    def custom_exercise(self, name=None, **fields) -> str:
        body = {
            "name": name or f"Custom {uuid.uuid4().hex[:6]}",
            "category": "strength",
            "muscle_groups": ["chest"],
            "equipment": ["dumbbell"],
        } | fields
        return self.post("/fitness/exercises", body)["id"]

    def workout(self, exercise_ids, **fields) -> dict:
        body = workout_body(exercise_ids) | fields
        return self.post("/fitness/workouts", body)


def workout_body(exercise_ids, name="Push day") -> dict:
    """Warm-up, main and cool-down sections; the main section holds ``exercise_ids`` with target weights."""
    return {
        "name": name,
        "description": "Chest, shoulders, triceps",
        "estimated_duration": 60,
        "difficulty": "beginner",
        "category": "strength",
        "is_template": True,
        "sections": [
            {"name": "Warm-up", "section_type": "warmup", "exercises": []},
            {
                "name": "Main",
                "section_type": "main",
                "exercises": [
                    {"exercise_id": str(e), "sets": 3, "reps": 8, "weight": 50.0 + 10 * i, "rest_seconds": 90}
                    for i, e in enumerate(exercise_ids)
                ],
            },
            {"name": "Cool-down", "section_type": "cooldown", "exercises": []},
        ],
    }
