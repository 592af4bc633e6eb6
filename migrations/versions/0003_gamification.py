"""Skills, achievements, progress, wallet, the points ledger and streaks (foundation.md, 0003_gamification).

Revision ID: 0003_gamification
Revises: 0002_rbac
"""

from alembic import op
from momentum_infra.migrate import apply_sql

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
    apply_sql("level_for_xp", "award_points")


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
