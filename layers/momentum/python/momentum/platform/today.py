"""The home screen in one call: level and coins, streaks at risk, the daily reward, today's workout, the book in
progress, the next lesson and reviews due, the unread inbox and unfinished onboarding.

Read-only and a fixed number of queries however much the person owns: the person's clock (1), one summary
query whose scalar subqueries each use an index on ``user_id`` (1), and today's workout from the fitness
programs (1 without an active program, 3 with one). ``tests/integration/platform/test_today.py`` counts them.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Literal
from uuid import UUID

from psycopg import Connection
from psycopg.rows import dict_row
from pydantic import BaseModel

from momentum import gamification
from momentum.fitness import programs
from momentum.fitness.models import Today as WorkoutToday
from momentum.fitness.models import TodayQuery
from momentum.learn.progress import NEXT_LESSON
from momentum.learn.review import DUE
from momentum.market.rewards import DAILY_STREAK, daily_reward_amount
from momentum.models import ResponseModel
from momentum.platform import days

SUMMARY = f"""
SELECT p.total_xp, p.current_level AS level, p.xp_to_next_level, w.coins,
    (SELECT coalesce(jsonb_agg(jsonb_build_object(
            'streak_type', s.streak_type, 'current_streak', s.current_streak,
            'longest_streak', s.longest_streak, 'last_activity_date', s.last_activity_date)
            ORDER BY s.streak_type), '[]')
     FROM user_streaks s WHERE s.user_id = %(user_id)s) AS streaks,
    (SELECT to_jsonb(r) FROM (
        SELECT id, created_at, claimed, expires_at, coins_earned, xp_earned FROM user_rewards
        WHERE user_id = %(user_id)s AND reward_type = 'daily' ORDER BY created_at DESC LIMIT 1) r) AS last_daily,
    (SELECT to_jsonb(b) FROM (
        SELECT b.id, b.title, b.author, b.current_page, b.total_pages, b.started_at, b.cover_url FROM books b
        WHERE b.user_id = %(user_id)s AND b.status = 'reading'
          AND NOT EXISTS (SELECT 1 FROM books_abandoned a WHERE a.book_id = b.id)
        ORDER BY b.updated_at DESC, b.id DESC LIMIT 1) b) AS book,
    (SELECT count(*) FROM books b WHERE b.user_id = %(user_id)s AND b.status = 'reading'
       AND NOT EXISTS (SELECT 1 FROM books_abandoned a WHERE a.book_id = b.id)) AS books_reading,
    (SELECT to_jsonb(n) FROM ({NEXT_LESSON}) n) AS next_lesson,
    (SELECT count(*) {DUE}) AS reviews_due,
    (SELECT count(*) FROM inbox_items WHERE user_id = %(user_id)s AND NOT is_processed) AS inbox_unread,
    (SELECT count(*) FROM user_rewards
     WHERE user_id = %(user_id)s AND NOT claimed AND expires_at > now()) AS rewards_claimable,
    (SELECT to_jsonb(o) FROM (
        SELECT f.id AS flow_id, st.status, st.can_resume
        FROM (SELECT id FROM onboarding_flows WHERE is_active ORDER BY created_at, id LIMIT 1) f
        LEFT JOIN LATERAL (SELECT status, can_resume FROM user_onboarding_state
                           WHERE user_id = %(user_id)s AND flow_id = f.id ORDER BY created_at LIMIT 1) st ON true
    ) o) AS onboarding
FROM user_progress p JOIN user_wallet w ON w.user_id = p.user_id
WHERE p.user_id = %(user_id)s
"""


class LevelToday(ResponseModel):
    level: int
    total_xp: int
    xp_to_next_level: int
    xp_for_next_level: int


class StreakToday(ResponseModel):
    streak_type: str
    current_streak: int
    longest_streak: int
    last_activity_date: date | None
    done_today: bool
    at_risk: bool  # alive, but lost at the end of today unless there is activity today


class DailyReward(ResponseModel):
    collected_today: bool  # POST /market/rewards/daily already answered for today (the local day)
    reward_id: UUID | None  # the latest daily reward
    state: Literal["claimable", "claimed", "expired"] | None
    next_coins: int | None  # what collecting today would pay; null when already collected
    next_xp: int | None


class BookInProgress(ResponseModel):
    id: UUID
    title: str
    author: str | None
    current_page: int
    total_pages: int | None
    started_at: datetime | None
    cover_url: str | None


class NextLessonToday(ResponseModel):
    id: UUID
    key: str
    title: str
    topic_key: str


class OnboardingToday(ResponseModel):
    flow_id: UUID
    status: str  # pending (not started), in_progress


class TodayView(ResponseModel):
    date: date
    timezone: str
    level: LevelToday
    coins: int
    streaks: list[StreakToday]
    daily_reward: DailyReward
    rewards_claimable: int
    workout: WorkoutToday
    book: BookInProgress | None
    books_reading: int
    next_lesson: NextLessonToday | None
    reviews_due: int
    inbox_unread: int
    onboarding: OnboardingToday | None  # null when there is no active flow or it is completed or skipped


class _Summary(BaseModel):
    total_xp: int
    level: int
    xp_to_next_level: int
    coins: int
    streaks: list[dict[str, Any]]
    last_daily: dict[str, Any] | None
    book: dict[str, Any] | None
    books_reading: int
    next_lesson: dict[str, Any] | None
    reviews_due: int
    inbox_unread: int
    rewards_claimable: int
    onboarding: dict[str, Any] | None


def get_today(conn: Connection, user_id: UUID) -> TodayView:
    """Everything the home screen shows, for the person's local day."""
    clock = days.clock(conn, user_id)
    today, activity_day = clock.today(), clock.activity_day()
    with conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(SUMMARY, {"user_id": user_id}).fetchone()
    assert row is not None  # every user has a progress and a wallet row (created with the user)
    summary = _Summary.model_validate(row)
    streaks = [_streak(s, activity_day) for s in summary.streaks]
    weekday = today.isoweekday() % 7  # the fitness programs count Sunday 0 … Saturday 6
    return TodayView(
        date=today,
        timezone=clock.zone,
        level=LevelToday(
            level=summary.level,
            total_xp=summary.total_xp,
            xp_to_next_level=summary.xp_to_next_level,
            xp_for_next_level=gamification.xp_for_level(summary.level),
        ),
        coins=summary.coins,
        streaks=streaks,
        daily_reward=_daily(clock, summary.last_daily, streaks),
        rewards_claimable=summary.rewards_claimable,
        workout=programs.today(conn, user_id, TodayQuery(day_of_week=weekday)),
        book=BookInProgress.model_validate(summary.book) if summary.book else None,
        books_reading=summary.books_reading,
        next_lesson=NextLessonToday.model_validate(summary.next_lesson) if summary.next_lesson else None,
        reviews_due=summary.reviews_due,
        inbox_unread=summary.inbox_unread,
        onboarding=_onboarding(summary.onboarding),
    )


def _streak(row: dict[str, Any], day: date) -> StreakToday:
    last = date.fromisoformat(row["last_activity_date"]) if row["last_activity_date"] else None
    alive = last is not None and last >= day - timedelta(days=1)
    done = last is not None and last >= day
    return StreakToday(
        streak_type=row["streak_type"],
        current_streak=row["current_streak"] if alive else 0,
        longest_streak=row["longest_streak"],
        last_activity_date=last,
        done_today=done,
        at_risk=alive and not done,
    )


def _daily(clock: days.Clock, last: dict[str, Any] | None, streaks: list[StreakToday]) -> DailyReward:
    # The same rule as POST /market/rewards/daily: a new reward once the day changed in every zone used since.
    collected = False
    state: Literal["claimable", "claimed", "expired"] | None = None
    if last is not None:
        created = datetime.fromisoformat(last["created_at"])
        collected = not days.new_day_everywhere(clock.now, created, clock.zones_since(created))
        expired = datetime.fromisoformat(last["expires_at"]) <= clock.now
        state = "claimed" if last["claimed"] else "expired" if expired else "claimable"
    next_coins = next_xp = None
    if not collected:
        daily = next((s for s in streaks if s.streak_type == DAILY_STREAK), None)
        next_coins, next_xp = daily_reward_amount((daily.current_streak if daily else 0) + 1)
    return DailyReward(
        collected_today=collected,
        reward_id=UUID(last["id"]) if last else None,
        state=state,
        next_coins=next_coins,
        next_xp=next_xp,
    )


def _onboarding(row: dict[str, Any] | None) -> OnboardingToday | None:
    if row is None:
        return None
    status = row["status"] or "pending"
    if status not in ("pending", "in_progress"):
        return None
    return OnboardingToday(flow_id=UUID(row["flow_id"]), status=status)
