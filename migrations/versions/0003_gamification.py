"""Skills, achievements, progress, wallet, the points ledger and streaks (foundation.md, 0003_gamification).

Revision ID: 0003_gamification
Revises: 0002_rbac
"""

from alembic import op

revision = "0003_gamification"
down_revision = "0002_rbac"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
    CREATE TABLE skill_definitions (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        key TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        description TEXT,
        category TEXT NOT NULL,
        icon TEXT,
        max_level INTEGER NOT NULL DEFAULT 100,
        stars_per_level INTEGER NOT NULL DEFAULT 10,
        sort_order INTEGER NOT NULL DEFAULT 0,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );

    CREATE TABLE user_skills (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID REFERENCES users (id) ON DELETE CASCADE,
        skill_key TEXT NOT NULL,
        current_stars INTEGER NOT NULL DEFAULT 0,
        current_level INTEGER NOT NULL DEFAULT 1,
        total_stars INTEGER NOT NULL DEFAULT 0,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        UNIQUE (user_id, skill_key)
    );
    CREATE TRIGGER user_skills_set_updated_at BEFORE UPDATE ON user_skills
        FOR EACH ROW EXECUTE FUNCTION set_updated_at();

    CREATE TABLE achievement_definitions (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        key TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        description TEXT,
        category TEXT NOT NULL,
        icon TEXT,
        trigger_type TEXT NOT NULL,
        trigger_config JSONB NOT NULL,
        reward_coins INTEGER NOT NULL DEFAULT 0,
        reward_xp INTEGER NOT NULL DEFAULT 0,
        is_hidden BOOLEAN NOT NULL DEFAULT false,
        sort_order INTEGER NOT NULL DEFAULT 0,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );

    CREATE TABLE user_achievements (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID REFERENCES users (id) ON DELETE CASCADE,
        achievement_key TEXT NOT NULL,
        earned_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        notified BOOLEAN NOT NULL DEFAULT false,
        UNIQUE (user_id, achievement_key)
    );

    CREATE TABLE user_progress (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID UNIQUE REFERENCES users (id) ON DELETE CASCADE,
        total_xp INTEGER NOT NULL DEFAULT 0,
        current_level INTEGER NOT NULL DEFAULT 1,
        xp_to_next_level INTEGER NOT NULL DEFAULT 100,
        total_skill_stars INTEGER NOT NULL DEFAULT 0,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );
    CREATE TRIGGER user_progress_set_updated_at BEFORE UPDATE ON user_progress
        FOR EACH ROW EXECUTE FUNCTION set_updated_at();

    -- "The balance can never go below zero": the database refuses it, whatever the code does.
    CREATE TABLE user_wallet (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID UNIQUE REFERENCES users (id) ON DELETE CASCADE,
        coins INTEGER NOT NULL DEFAULT 0,
        total_earned INTEGER NOT NULL DEFAULT 0,
        total_spent INTEGER NOT NULL DEFAULT 0,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        CONSTRAINT user_wallet_coins_nonnegative CHECK (coins >= 0)
    );
    CREATE TRIGGER user_wallet_set_updated_at BEFORE UPDATE ON user_wallet
        FOR EACH ROW EXECUTE FUNCTION set_updated_at();

    CREATE TABLE points_ledger (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID REFERENCES users (id) ON DELETE CASCADE,
        event_type TEXT NOT NULL,
        event_id UUID,
        coins INTEGER NOT NULL DEFAULT 0,
        xp INTEGER NOT NULL DEFAULT 0,
        skill_stars INTEGER DEFAULT 0,
        skill_key TEXT,
        reason TEXT,
        idempotency_key TEXT,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );
    CREATE INDEX points_ledger_user_id_idx ON points_ledger (user_id);
    CREATE UNIQUE INDEX points_ledger_user_idempotency_idx ON points_ledger (user_id, idempotency_key)
        WHERE idempotency_key IS NOT NULL;
    -- Ours, not the spec's: the ledger is listed newest first with keyset pagination on (created_at, id).
    CREATE INDEX points_ledger_user_created_idx ON points_ledger (user_id, created_at DESC, id DESC);

    CREATE TABLE user_streaks (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID REFERENCES users (id) ON DELETE CASCADE,
        streak_type TEXT NOT NULL,
        current_streak INTEGER NOT NULL DEFAULT 0,
        longest_streak INTEGER NOT NULL DEFAULT 0,
        last_activity_date DATE,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        UNIQUE (user_id, streak_type)
    );
    CREATE TRIGGER user_streaks_set_updated_at BEFORE UPDATE ON user_streaks
        FOR EACH ROW EXECUTE FUNCTION set_updated_at();
    """)
    # The award path lives in the database so that a purchase or a claim can pay or charge inside one
    # statement (one round trip); momentum.gamification.award is its Python face.
    op.execute(r"""
    -- Level curve: reaching level L+1 from level L takes floor(100 × L^1.5) XP; the level follows from lifetime XP.
    CREATE FUNCTION level_for_xp(p_total_xp integer, OUT level integer, OUT xp_to_next_level integer)
    LANGUAGE plpgsql IMMUTABLE STRICT AS $$
    DECLARE
        spent bigint := 0;
        need bigint;
    BEGIN
        level := 1;
        LOOP
            need := floor(100 * power(level, 1.5));
            EXIT WHEN spent + need > p_total_xp;
            spent := spent + need;
            level := level + 1;
        END LOOP;
        xp_to_next_level := spent + need - p_total_xp;
    END $$;

    -- The one place that changes user_wallet, user_progress and user_skills. It writes one points_ledger row per
    -- idempotency key; a key seen before changes nothing and returns the first ledger row (applied = false).
    -- Taking coins below zero raises SQLSTATE 'MC001' (insufficient coins), XP below zero 'MC002'.
    CREATE FUNCTION award_points(
        p_user_id uuid, p_event_type text, p_idempotency_key text,
        p_coins integer DEFAULT 0, p_xp integer DEFAULT 0, p_skill_key text DEFAULT NULL,
        p_skill_stars integer DEFAULT 0, p_reason text DEFAULT NULL, p_event_id uuid DEFAULT NULL,
        OUT ledger_id uuid, OUT applied boolean, OUT coins integer, OUT total_xp integer, OUT level integer)
    LANGUAGE plpgsql AS $$
    #variable_conflict use_column
    DECLARE
        v_balance integer;
        v_per_level integer;
        v_max_level integer;
    BEGIN
        INSERT INTO points_ledger (user_id, event_type, event_id, coins, xp, skill_stars, skill_key, reason,
                                   idempotency_key)
        VALUES (p_user_id, p_event_type, p_event_id, p_coins, p_xp, p_skill_stars, p_skill_key, p_reason,
                p_idempotency_key)
        ON CONFLICT (user_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
        RETURNING id INTO ledger_id;
        applied := ledger_id IS NOT NULL;

        IF NOT applied THEN
            SELECT l.id INTO ledger_id FROM points_ledger l
            WHERE l.user_id = p_user_id AND l.idempotency_key = p_idempotency_key;
        ELSE
            IF p_coins <> 0 THEN
                INSERT INTO user_wallet (user_id) VALUES (p_user_id) ON CONFLICT (user_id) DO NOTHING;
                -- A refund gives spent coins back: it lowers total_spent instead of counting as earnings.
                UPDATE user_wallet w
                SET coins = w.coins + p_coins,
                    total_earned = w.total_earned
                                   + CASE WHEN p_event_type = 'refund' THEN 0 ELSE greatest(p_coins, 0) END,
                    total_spent = w.total_spent
                                  - CASE WHEN p_event_type = 'refund' THEN p_coins ELSE least(p_coins, 0) END
                WHERE w.user_id = p_user_id AND w.coins + p_coins >= 0;
                IF NOT FOUND THEN
                    SELECT w.coins INTO v_balance FROM user_wallet w WHERE w.user_id = p_user_id;
                    RAISE EXCEPTION 'insufficient coins' USING ERRCODE = 'MC001',
                        DETAIL = json_build_object('needed', -p_coins, 'available', v_balance)::text;
                END IF;
            END IF;
            IF p_xp <> 0 OR p_skill_stars <> 0 THEN
                INSERT INTO user_progress (user_id) VALUES (p_user_id) ON CONFLICT (user_id) DO NOTHING;
                UPDATE user_progress p
                SET total_xp = p.total_xp + p_xp,
                    total_skill_stars = p.total_skill_stars + p_skill_stars,
                    current_level = (level_for_xp(p.total_xp + p_xp)).level,
                    xp_to_next_level = (level_for_xp(p.total_xp + p_xp)).xp_to_next_level
                WHERE p.user_id = p_user_id AND p.total_xp + p_xp >= 0;
                IF NOT FOUND THEN
                    RAISE EXCEPTION 'XP cannot go below zero' USING ERRCODE = 'MC002';
                END IF;
            END IF;
            IF p_skill_stars <> 0 THEN
                -- Stars fill levels of stars_per_level each (10 for an undefined skill), up to max_level.
                SELECT coalesce(d.stars_per_level, 10), coalesce(d.max_level, 100) INTO v_per_level, v_max_level
                FROM (SELECT 1) one LEFT JOIN skill_definitions d ON d.key = p_skill_key;
                INSERT INTO user_skills AS s (user_id, skill_key, total_stars, current_stars, current_level)
                VALUES (p_user_id, p_skill_key, p_skill_stars, p_skill_stars % v_per_level,
                        least(v_max_level, 1 + p_skill_stars / v_per_level))
                ON CONFLICT (user_id, skill_key) DO UPDATE
                SET total_stars = s.total_stars + p_skill_stars,
                    current_stars = (s.total_stars + p_skill_stars) % v_per_level,
                    current_level = least(v_max_level, 1 + (s.total_stars + p_skill_stars) / v_per_level);
            END IF;
        END IF;

        SELECT w.coins INTO coins FROM user_wallet w WHERE w.user_id = p_user_id;
        SELECT p.total_xp, p.current_level INTO total_xp, level FROM user_progress p WHERE p.user_id = p_user_id;
    END $$;
    """)


def downgrade() -> None:
    op.execute("""
    DROP FUNCTION award_points;
    DROP FUNCTION level_for_xp;
    DROP TABLE user_streaks;
    DROP TABLE points_ledger;
    DROP TABLE user_wallet;
    DROP TABLE user_progress;
    DROP TABLE user_achievements;
    DROP TABLE achievement_definitions;
    DROP TABLE user_skills;
    DROP TABLE skill_definitions;
    """)
