"""Learn: topics, lessons, drills, and each user's lesson progress and drill stats (schema-part2.md, 0011).

Revision ID: 0011_learn
Revises: 0010_fitness
"""

from alembic import op

revision = "0011_learn"
down_revision = "0010_fitness"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
    CREATE TABLE learn_topics (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        key TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        description TEXT,
        category TEXT NOT NULL,
        icon TEXT,
        color TEXT,
        sort_order INTEGER NOT NULL DEFAULT 0,
        is_active BOOLEAN NOT NULL DEFAULT true,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );

    CREATE TABLE learn_lessons (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        topic_id UUID REFERENCES learn_topics (id) ON DELETE CASCADE,
        key TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        description TEXT,
        content_markdown TEXT,
        duration_minutes INTEGER,
        difficulty TEXT NOT NULL DEFAULT 'beginner',
        quiz_json JSONB,
        xp_reward INTEGER NOT NULL DEFAULT 0,
        coin_reward INTEGER NOT NULL DEFAULT 0,
        skill_key TEXT,
        skill_star_reward INTEGER NOT NULL DEFAULT 0,
        audio_r2_key TEXT,
        video_url TEXT,
        sort_order INTEGER NOT NULL DEFAULT 0,
        is_active BOOLEAN NOT NULL DEFAULT true,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );

    CREATE TABLE learn_drills (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        topic_id UUID REFERENCES learn_topics (id) ON DELETE CASCADE,
        key TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        description TEXT,
        drill_type TEXT NOT NULL,
        config_json JSONB NOT NULL,
        difficulty TEXT NOT NULL DEFAULT 'beginner',
        duration_seconds INTEGER,
        xp_reward INTEGER NOT NULL DEFAULT 0,
        sort_order INTEGER NOT NULL DEFAULT 0,
        is_active BOOLEAN NOT NULL DEFAULT true,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );

    CREATE TABLE user_lesson_progress (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID REFERENCES users (id) ON DELETE CASCADE,
        lesson_id UUID REFERENCES learn_lessons (id) ON DELETE CASCADE,
        status TEXT NOT NULL DEFAULT 'not_started',
        started_at TIMESTAMPTZ,
        completed_at TIMESTAMPTZ,
        quiz_score INTEGER,
        attempts INTEGER NOT NULL DEFAULT 0
    );
    CREATE UNIQUE INDEX user_lesson_progress_user_lesson_idx ON user_lesson_progress (user_id, lesson_id);

    CREATE TABLE user_drill_stats (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID REFERENCES users (id) ON DELETE CASCADE,
        drill_id UUID REFERENCES learn_drills (id) ON DELETE CASCADE,
        total_attempts INTEGER NOT NULL DEFAULT 0,
        correct_answers INTEGER NOT NULL DEFAULT 0,
        best_score INTEGER NOT NULL DEFAULT 0,
        average_score REAL NOT NULL DEFAULT 0,
        current_streak INTEGER NOT NULL DEFAULT 0,
        best_streak INTEGER NOT NULL DEFAULT 0,
        last_attempt_at TIMESTAMPTZ,
        total_time_seconds INTEGER NOT NULL DEFAULT 0
    );
    CREATE UNIQUE INDEX user_drill_stats_user_drill_idx ON user_drill_stats (user_id, drill_id);
    """)


def downgrade() -> None:
    op.execute("""
    DROP TABLE user_drill_stats;
    DROP TABLE user_lesson_progress;
    DROP TABLE learn_drills;
    DROP TABLE learn_lessons;
    DROP TABLE learn_topics;
    """)
