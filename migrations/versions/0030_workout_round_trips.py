"""Completing a workout session is two round trips with authentication: ``fitness_complete_session`` now answers
with the session it completed, so the read that followed it (four statements) is gone.

- ``fitness_session_state`` is a session as the API shows it (summary, sets by exercise with their records, the
  workout's plan with what was done last time); reading a session uses it too, one statement instead of four.
- ``fitness_working_set`` and ``fitness_set_volume`` are the one definition of a working set and of a set's volume,
  which the completion, the session summaries and the stats used to repeat.
- ``fitness_complete_session`` returns the session and whether an achievement may be due (it returned only the
  latter): a new return type, so its old signature is dropped first.

Revision ID: 0030_workout_round_trips
Revises: 0029_reading_round_trips
"""

from alembic import op
from momentum_infra.migrate import apply_sql

revision = "0030_workout_round_trips"
down_revision = "0029_reading_round_trips"
branch_labels = None
depends_on = None

OWN_TABLES: tuple[str, ...] = ()

SOURCES = {
    "fitness_working_set": "9028e72391b19658",
    "fitness_set_volume": "a9ad3fee16126136",
    "fitness_session_state": "9a7fe19c081073a2",
    "fitness_complete_session": "b461a2aeaae1b2aa",
}

COMPLETE_SESSION_ARGS = "uuid, uuid, text, boolean, integer, integer[], integer[], integer[], text"

OLD_FITNESS_COMPLETE_SESSION = """
-- Complete a workout session in one statement and pay for it once: the UPDATE only matches a session not completed
-- yet (so of two concurrent completions one pays), and locking the row orders completion against set logging (the
-- count that follows, a statement of its own, sees every set committed before the lock). The pay is
-- momentum.fitness.rules.session_award, passed in as its table by working sets (index n + 1 for n sets; the last
-- entry serves any count beyond it, as the rule caps what it pays), since the count only exists here. A paying
-- session extends the 'workout' streak. Returns whether an achievement may be due.
-- Errors: MF404 session not found, MF410 session already completed.
CREATE OR REPLACE FUNCTION fitness_complete_session(
    p_user_id uuid, p_session_id uuid, p_notes text, p_set_notes boolean, p_rating integer,
    p_xp integer[], p_coins integer[], p_skill_stars integer[], p_skill_key text)
RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    v_sets integer;
    v_pay integer;
BEGIN
    UPDATE workout_sessions s
    SET completed_at = now(),
        duration_seconds = greatest(0, round(extract(epoch FROM now() - s.started_at)))::integer,
        notes = CASE WHEN p_set_notes THEN p_notes ELSE s.notes END,
        rating = coalesce(p_rating, s.rating)
    WHERE s.id = p_session_id AND s.user_id = p_user_id AND s.completed_at IS NULL;
    IF NOT FOUND THEN
        PERFORM 1 FROM workout_sessions s WHERE s.id = p_session_id AND s.user_id = p_user_id;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'session not found' USING ERRCODE = 'MF404';
        END IF;
        RAISE EXCEPTION 'session already completed' USING ERRCODE = 'MF410';
    END IF;

    -- A working set, as momentum.fitness.sessions.WORKING_SET counts it.
    SELECT count(*) INTO v_sets FROM exercise_sets s
    WHERE s.session_id = p_session_id
      AND NOT s.is_warmup AND (coalesce(s.reps, 0) > 0 OR coalesce(s.duration, 0) > 0);
    v_pay := least(v_sets, cardinality(p_xp) - 1) + 1;
    IF p_xp[v_pay] = 0 AND p_coins[v_pay] = 0 AND p_skill_stars[v_pay] = 0 THEN
        RETURN false;
    END IF;
    PERFORM award_boosted(p_user_id, 'workout_session', 'workout-session:' || p_session_id, p_coins[v_pay],
                          p_xp[v_pay], p_skill_key, p_skill_stars[v_pay],
                          'Workout session: ' || v_sets || ' working sets', p_session_id);
    UPDATE workout_sessions s SET xp_awarded = p_xp[v_pay], coins_awarded = p_coins[v_pay] WHERE s.id = p_session_id;
    PERFORM touch_streak(p_user_id, 'workout');
    RETURN achievements_due(p_user_id, ARRAY['total_xp', 'level', 'coins_earned', 'skill_stars', 'streak.workout'],
                            ARRAY['workout_session']);
END $$;
"""


def upgrade() -> None:
    op.execute(f"DROP FUNCTION fitness_complete_session({COMPLETE_SESSION_ARGS})")
    apply_sql(*SOURCES)


def downgrade() -> None:
    op.execute(f"DROP FUNCTION fitness_complete_session({COMPLETE_SESSION_ARGS})")
    op.execute(OLD_FITNESS_COMPLETE_SESSION)
    op.execute("DROP FUNCTION fitness_session_state(uuid, uuid)")
    op.execute("DROP FUNCTION fitness_set_volume(boolean, real, integer)")
    op.execute("DROP FUNCTION fitness_working_set(boolean, integer, integer)")
