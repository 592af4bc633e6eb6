"""The welcome onboarding flow: welcome → goals → interests → weekly targets → tour. Its answers configure the app
(daily XP goal, interests for recommendations, a starter training program). Seeded once: a flow of that name that
admins have edited is left as it is."""

from typing import Any

from momentum.platform import onboarding
from psycopg import Connection

NAME = "welcome"

STEPS: list[dict[str, Any]] = [
    {
        "step_type": "welcome",
        "title": "Welcome to Momentum",
        "description": "Earn XP and coins for the work that makes you a better producer. Four quick questions.",
    },
    {
        "step_type": "question",
        "title": "How much do you want to do each day?",
        "description": "Your daily XP goal; change it any time in settings.",
        "options": [
            {"value": 50, "label": "A little every day"},
            {"value": 100, "label": "Steady progress"},
            {"value": 200, "label": "All in"},
        ],
        "required": True,
        "action_type": "set_setting",
        "action_config": {"key": "daily_xp_goal"},
    },
    {
        "step_type": "question",
        "title": "What are you into?",
        "description": "We recommend lessons and market items that match.",
        "options": [
            {"value": key, "label": label}
            for key, label in [
                ("mixing", "Mixing"),
                ("mastering", "Mastering"),
                ("sound_design", "Sound design"),
                ("synthesis", "Synthesis"),
                ("arrangement", "Arrangement"),
                ("songwriting", "Songwriting"),
                ("music_theory", "Music theory"),
                ("ear_training", "Ear training"),
                ("drums", "Drums and rhythm"),
                ("vocals", "Vocals"),
            ]
        ],
        "allows_multiple": True,
        "required": True,
        "action_type": "set_interests",
    },
    {
        "step_type": "question",
        "title": "How often will you train each week?",
        "description": "Long studio days are easier with a body that can take them.",
        "options": [
            {"value": "light", "label": "Twice a week"},
            {"value": "steady", "label": "Three times a week"},
            {"value": "none", "label": "Not now"},
        ],
        "action_type": "enroll_program",
        "action_config": {
            "programs": {
                "light": {"name": "Studio fit: two days", "duration_weeks": 4, "goal": "general fitness"},
                "steady": {"name": "Studio fit: three days", "duration_weeks": 6, "goal": "strength"},
            }
        },
    },
    {
        "step_type": "tour",
        "title": "Your day at a glance",
        "description": "Today shows your streaks, your daily reward and what is next.",
        "target_route": "/today",
        "target_selector": "#today",
    },
]


def seed(conn: Connection) -> None:
    if conn.execute("SELECT 1 FROM onboarding_flows WHERE name = %s", (NAME,)).fetchone() is None:
        onboarding.create_flow(
            conn,
            onboarding.FlowIn.model_validate(
                {"name": NAME, "description": "The first minutes in the app", "is_active": True, "steps": STEPS}
            ),
        )
