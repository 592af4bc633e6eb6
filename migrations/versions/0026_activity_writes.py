"""Habit completion and undo and focus completion are one statement each, and the shared tail of the paying writes
moves into SQL.

- ``habit_complete`` and ``habit_undo`` lock the habit, write the completion, recompute the streaks
  (``habit_streaks``, ``habit_set_streaks``), pay and answer with the habit (``habit_state``).
- ``focus_complete`` ends expired sessions (``focus_expire``), locks and ends the session and pays for the time
  focused (``focus_session_award``).
- ``goal_complete`` completes a goal or one of its milestones and pays, answering with the goal (``goal_state``,
  which reading a goal uses too).
- ``daily_reward_create`` creates the daily reward, touching the daily streak.
- ``fitness_complete_session`` completes a workout session and pays by the table of ``rules.session_award``.
- ``award_boosted`` (from 0025) is ``award_points`` with the running shop boosts applied; ``gamification.award``
  now calls it.
- ``touch_streak`` records a streak's activity on the person's activity day (``user_activity_day``), spending a
  banked freeze over one missed day (``gamification.touch_streak`` calls it).
- ``achievements_due`` (from 0025) says whether a write could have earned an achievement; ``claim_reward`` now calls
  it instead of its own copy of the test.

Revision ID: 0026_activity_writes
Revises: 0025_market_learn_writes
"""

from alembic import op
from momentum_infra.migrate import apply_sql

revision = "0026_activity_writes"
down_revision = "0025_market_learn_writes"
branch_labels = None
depends_on = None

OWN_TABLES: tuple[str, ...] = ()

SOURCES = {
    "user_activity_day": "6b747b4f2cc85340",
    "touch_streak": "8d245c2b926802bb",
    "claim_reward": "23d33d9cc6c654b7",
    "habit_streaks": "16cc6cece12c6979",
    "habit_set_streaks": "6151cca76359a881",
    "habit_state": "77621ac6ae65158e",
    "habit_complete": "82ae22fc5e82a510",
    "habit_undo": "0dcf0a1c7cd4d025",
    "focus_session_award": "5ba23ddfda432c21",
    "focus_expire": "bd2ec86803b76051",
    "focus_complete": "9f656e5a601a8796",
    "goal_state": "1b4a8d99019fbb5e",
    "goal_complete": "60076bcd24106aea",
    "daily_reward_create": "1fb7e9761681213c",
    "fitness_complete_session": "3c3e6ec6c43e5441",
}

OLD_CLAIM_REWARD = """
-- Pay a reward once: the row lock makes concurrent claims queue, and the first one marks it claimed.
CREATE OR REPLACE FUNCTION claim_reward(p_user_id uuid, p_reward_id uuid,
                             OUT reward user_rewards, OUT coins integer, OUT total_xp integer, OUT level integer,
                             OUT achievements_due boolean)
LANGUAGE plpgsql AS $$
DECLARE
    v_earned integer;
BEGIN
    SELECT * INTO reward FROM user_rewards r WHERE r.id = p_reward_id AND r.user_id = p_user_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'reward not found' USING ERRCODE = 'MM404', DETAIL = '{"resource": "reward"}';
    ELSIF reward.claimed THEN
        RAISE EXCEPTION 'reward already claimed' USING ERRCODE = 'MM005',
            DETAIL = json_build_object('claimed_at', reward.claimed_at)::text;
    ELSIF reward.expires_at <= now() THEN
        RAISE EXCEPTION 'reward expired' USING ERRCODE = 'MM006',
            DETAIL = json_build_object('expires_at', reward.expires_at)::text;
    END IF;
    IF reward.coins_earned <> 0 OR reward.xp_earned <> 0 THEN
        PERFORM award_points(p_user_id, 'reward', 'reward:' || reward.id, reward.coins_earned, reward.xp_earned,
                             p_reason => reward.reward_type || ' reward', p_event_id => reward.id);
    END IF;
    UPDATE user_rewards r SET claimed = true, claimed_at = now() WHERE r.id = reward.id RETURNING * INTO reward;
    IF reward.coins_earned <> 0 THEN
        INSERT INTO market_transactions (user_id, transaction_type, coins_amount, reason)
        VALUES (p_user_id, 'reward', reward.coins_earned, reward.reward_type || ' reward');
    END IF;
    -- Balances after the claim (a user without a wallet or progress row yet has the starting ones).
    SELECT coalesce(max(w.coins), 0), coalesce(max(w.total_earned), 0) INTO coins, v_earned
    FROM user_wallet w WHERE w.user_id = p_user_id;
    SELECT coalesce(max(p.total_xp), 0), coalesce(max(p.current_level), 1) INTO total_xp, level
    FROM user_progress p WHERE p.user_id = p_user_id;
    -- Of the achievement metrics (momentum.gamification), a paying claim changes only total_xp, level,
    -- coins_earned and the count of 'reward' ledger events. A trigger (or, in a compound, one of its parts) it
    -- newly meets must therefore be a threshold on one of those now reached, or name the 'reward' event: only
    -- then does the caller run the full check, so most claims stay one round trip.
    achievements_due := (reward.coins_earned <> 0 OR reward.xp_earned <> 0) AND EXISTS (
        SELECT 1 FROM achievement_definitions d
        WHERE jsonb_path_exists(d.trigger_config,
                  '$.** ? ((@.metric == "total_xp" && @.value <= $xp) || (@.metric == "level" && @.value <= $level)
                           || (@.metric == "coins_earned" && @.value <= $earned) || @.event_type == "reward")',
                  jsonb_build_object('xp', total_xp, 'level', level, 'earned', v_earned))
          AND NOT EXISTS (SELECT 1 FROM user_achievements ua
                          WHERE ua.user_id = p_user_id AND ua.achievement_key = d.key));
END $$;
"""


def upgrade() -> None:
    apply_sql(*SOURCES)


def downgrade() -> None:
    op.execute("DROP FUNCTION daily_reward_create(uuid, integer[], integer[])")
    op.execute("DROP FUNCTION goal_complete(uuid, uuid, uuid, integer, integer, integer, integer)")
    op.execute("DROP FUNCTION goal_state(goals)")
    op.execute(
        "DROP FUNCTION fitness_complete_session("
        "uuid, uuid, text, boolean, integer, integer[], integer[], integer[], text)"
    )
    op.execute("DROP FUNCTION focus_complete(uuid, uuid)")
    op.execute("DROP FUNCTION focus_expire(uuid)")
    op.execute("DROP FUNCTION focus_session_award(text, integer, boolean)")
    op.execute("DROP FUNCTION habit_undo(uuid, uuid)")
    op.execute("DROP FUNCTION habit_complete(uuid, uuid, text, integer, integer, integer[], integer[], integer[])")
    op.execute("DROP FUNCTION habit_state(uuid, date)")
    op.execute("DROP FUNCTION habit_set_streaks(uuid, text, date)")
    op.execute("DROP FUNCTION habit_streaks(text, integer[], integer, date[], date, date)")
    op.execute(OLD_CLAIM_REWARD)
    op.execute("DROP FUNCTION touch_streak(uuid, text, date)")
    op.execute("DROP FUNCTION user_activity_day(uuid)")
