"""The learn writes in two round trips: answering a review, submitting a drill round and submitting a quiz.

Each used to lock its row in a transaction of its own (BEGIN, SELECT … FOR UPDATE, the Idempotency-Key lookup, the
record statement, the streak, the achievement check, the kept response, COMMIT: seven or eight round trips with
authentication). Now the row is read with the token check in one round trip (a route's ``read=``,
``momentum.http``), Python grades it, and one statement writes everything:

- ``learn_review_record``, ``learn_round_record`` and ``learn_quiz_record`` lock their row themselves, answer a
  retry with its kept response (``learn_replayed``, new), refuse a review or round that another request answered
  since the read (a compare-and-set of the card's review count, of the round's submitted state: the same 409 as
  when the lock made the second request wait), decide a quiz's first pass under the progress row's lock, touch the
  'learning' streak on the person's activity day (``user_activity_day``, which the XP caps now use too), keep the
  response for the key and say whether an achievement may be due (``achievements_due``). Their signatures change
  (no day; the key, the request and the response part), so the old ones are dropped first.

Revision ID: 0028_learn_round_trips
Revises: 0027_shop_statistics
"""

from alembic import op
from momentum_infra.migrate import apply_sql

revision = "0028_learn_round_trips"
down_revision = "0027_shop_statistics"
branch_labels = None
depends_on = None

OWN_TABLES: tuple[str, ...] = ()

SOURCES = {
    "learn_replayed": "7ab7a5c460e02e56",
    "learn_review_record": "ef522dd482b13e09",
    "learn_round_record": "f94a87fb87bc9ed1",
    "learn_quiz_record": "2c7d49f234f587d9",
}

OLD_REVIEW_RECORD_ARGS = (
    "uuid, uuid, integer, jsonb, timestamptz, bigint, integer, timestamptz, text, boolean, timestamptz, date, integer,"
    " integer"
)
NEW_REVIEW_RECORD_ARGS = (
    "uuid, uuid, integer, jsonb, timestamptz, bigint, integer, timestamptz, text, boolean, timestamptz, integer,"
    " integer, text, text, jsonb"
)
OLD_ROUND_RECORD_ARGS = (
    "uuid, uuid, uuid, integer, integer, integer, boolean, integer, integer, integer, integer, date, integer, integer,"
    " jsonb"
)
NEW_ROUND_RECORD_ARGS = (
    "uuid, uuid, uuid, integer, integer, integer, boolean, integer, integer, integer, integer, integer, integer,"
    " jsonb, text, text, jsonb"
)
OLD_QUIZ_RECORD_ARGS = "uuid, uuid, integer, boolean, jsonb, boolean, integer, integer, text, integer, text, jsonb"
NEW_QUIZ_RECORD_ARGS = (
    "uuid, uuid, integer, boolean, jsonb, integer, integer, text, integer, text, jsonb, text, text, jsonb"
)

# The definitions this revision replaces, for the downgrade (from 0025_market_learn_writes).
OLD_REVIEW_RECORD = r"""
CREATE FUNCTION learn_review_record(
    p_user_id uuid, p_card_id uuid, p_reps integer, p_card jsonb, p_due timestamptz, p_seed bigint,
    p_lapse integer, p_now timestamptz, p_rating text, p_correct boolean, p_due_before timestamptz, p_day date,
    p_xp integer, p_xp_per_day integer)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    v_xp integer;
BEGIN
    UPDATE learn_review_cards c
    SET card = p_card, due = p_due, seed = p_seed, reps = c.reps + 1, lapses = c.lapses + p_lapse,
        last_review = p_now
    WHERE c.id = p_card_id;
    v_xp := learn_usage_take(p_user_id, p_day, 'review-xp', p_xp, p_xp_per_day);
    IF v_xp > 0 THEN
        PERFORM award_boosted(p_user_id, 'review', 'review:' || p_card_id || ':' || p_reps, p_xp => v_xp,
                              p_reason => 'Spaced review', p_event_id => p_card_id);
    END IF;
    INSERT INTO learn_review_logs (card_id, user_id, rating, correct, due_before, due_after, xp_awarded)
    VALUES (p_card_id, p_user_id, p_rating, p_correct, p_due_before, p_due, v_xp);
    RETURN v_xp;
END $$;
"""

OLD_ROUND_RECORD = r"""
CREATE FUNCTION learn_round_record(
    p_user_id uuid, p_round_id uuid, p_drill_id uuid, p_score integer, p_correct integer, p_total integer,
    p_all_correct boolean, p_leading integer, p_trailing integer, p_longest integer, p_seconds integer,
    p_day date, p_xp integer, p_xp_cap integer, p_cards jsonb,
    OUT stats user_drill_stats, OUT xp integer)
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO user_drill_stats AS s (user_id, drill_id, total_attempts, correct_answers, best_score, average_score,
                                       current_streak, best_streak, last_attempt_at, total_time_seconds)
    VALUES (p_user_id, p_drill_id, 1, p_correct, p_score, p_score, p_trailing, p_longest, now(), p_seconds)
    ON CONFLICT (user_id, drill_id) DO UPDATE SET
        total_attempts = s.total_attempts + 1,
        correct_answers = s.correct_answers + excluded.correct_answers,
        best_score = greatest(s.best_score, excluded.best_score),
        average_score = (round(s.average_score::float8 * s.total_attempts) + excluded.best_score)
                        / (s.total_attempts + 1),
        current_streak = CASE WHEN p_all_correct THEN s.current_streak + p_total ELSE excluded.current_streak END,
        best_streak = greatest(s.best_streak, s.current_streak + p_leading, excluded.best_streak),
        last_attempt_at = now(),
        total_time_seconds = s.total_time_seconds + excluded.total_time_seconds
    RETURNING * INTO stats;
    xp := learn_usage_take(p_user_id, p_day, 'drill-xp:' || p_drill_id, p_xp, p_xp_cap);
    IF xp > 0 THEN
        PERFORM award_boosted(p_user_id, 'drill_round', 'drill-round:' || p_round_id, p_xp => xp,
                              p_reason => 'Drill round', p_event_id => p_round_id);
    END IF;
    UPDATE learn_drill_rounds r SET submitted_at = now(), score = p_score, correct = p_correct, xp_awarded = xp
    WHERE r.id = p_round_id;
    PERFORM learn_add_cards(p_user_id, p_cards);
END $$;
"""

OLD_QUIZ_RECORD = r"""
CREATE FUNCTION learn_quiz_record(
    p_user_id uuid, p_lesson_id uuid, p_score integer, p_passed boolean, p_answers jsonb, p_first_pass boolean,
    p_coins integer, p_xp integer, p_skill_key text, p_skill_stars integer, p_reason text, p_cards jsonb,
    OUT paid boolean, OUT status text, OUT started_at timestamptz, OUT completed_at timestamptz,
    OUT best_score integer, OUT latest_score integer, OUT attempts integer)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
    UPDATE user_lesson_progress p
    SET attempts = p.attempts + 1,
        quiz_score = greatest(p.quiz_score, p_score),
        started_at = coalesce(p.started_at, now()),
        status = CASE WHEN p.status = 'completed' OR p_passed THEN 'completed' ELSE 'in_progress' END,
        completed_at = CASE WHEN p.completed_at IS NULL AND p_passed THEN now() ELSE p.completed_at END
    WHERE p.user_id = p_user_id AND p.lesson_id = p_lesson_id;
    INSERT INTO learn_quiz_attempts (user_id, lesson_id, score, passed, answers)
    VALUES (p_user_id, p_lesson_id, p_score, p_passed, p_answers);
    paid := false;
    IF p_first_pass THEN
        IF p_coins <> 0 OR p_xp <> 0 OR p_skill_stars <> 0 THEN
            SELECT a.applied INTO paid
            FROM award_boosted(p_user_id, 'lesson_completed', 'lesson-pass:' || p_lesson_id, p_coins, p_xp,
                               p_skill_key, p_skill_stars, p_reason, p_lesson_id) a;
        END IF;
        PERFORM learn_add_cards(p_user_id, p_cards);
    END IF;
    SELECT p.status, p.started_at, p.completed_at, p.quiz_score,
           (SELECT a.score FROM learn_quiz_attempts a WHERE a.user_id = p_user_id AND a.lesson_id = p_lesson_id
            ORDER BY a.created_at DESC, a.id DESC LIMIT 1),
           p.attempts
    INTO status, started_at, completed_at, best_score, latest_score, attempts
    FROM user_lesson_progress p WHERE p.user_id = p_user_id AND p.lesson_id = p_lesson_id;
END $$;
"""


def upgrade() -> None:
    op.execute(f"DROP FUNCTION IF EXISTS learn_review_record({OLD_REVIEW_RECORD_ARGS})")
    op.execute(f"DROP FUNCTION IF EXISTS learn_round_record({OLD_ROUND_RECORD_ARGS})")
    op.execute(f"DROP FUNCTION IF EXISTS learn_quiz_record({OLD_QUIZ_RECORD_ARGS})")
    apply_sql(*SOURCES)


def downgrade() -> None:
    op.execute(f"DROP FUNCTION learn_quiz_record({NEW_QUIZ_RECORD_ARGS})")
    op.execute(f"DROP FUNCTION learn_round_record({NEW_ROUND_RECORD_ARGS})")
    op.execute(f"DROP FUNCTION learn_review_record({NEW_REVIEW_RECORD_ARGS})")
    op.execute("DROP FUNCTION learn_replayed(uuid, text, text)")
    op.execute(OLD_REVIEW_RECORD)
    op.execute(OLD_ROUND_RECORD)
    op.execute(OLD_QUIZ_RECORD)
