"""Learn, our own tables beside the spec's 0011: issued drill rounds, quiz attempts, spaced-review cards with
their review log, per-day usage for the learning caps, and the responses kept for Idempotency-Key retries.

Revision ID: 0018_learn
Revises: 0017_platform_extras
"""

from alembic import op

revision = "0018_learn"
down_revision = "0017_platform_extras"
branch_labels = None
depends_on = None

# Tables of our own this revision adds (the schema test holds each revision to exactly its tables).
OWN_TABLES = (
    "learn_drill_rounds",
    "learn_quiz_attempts",
    "learn_review_cards",
    "learn_review_logs",
    "learn_request_keys",
    "learn_daily_usage",
)


def upgrade() -> None:
    op.execute("""
    -- A drill round as the server issued it: the seed and the items with their answers stay here, the client gets
    -- only what to play or show. A round is graded once (submitted_at) and only before it expires.
    CREATE TABLE learn_drill_rounds (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        drill_id UUID NOT NULL REFERENCES learn_drills (id) ON DELETE CASCADE,
        seed BIGINT NOT NULL,
        items JSONB NOT NULL,
        issued_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        expires_at TIMESTAMPTZ NOT NULL,
        submitted_at TIMESTAMPTZ,
        score INTEGER CHECK (score BETWEEN 0 AND 100),
        correct INTEGER,
        xp_awarded INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX learn_drill_rounds_user_idx ON learn_drill_rounds (user_id, issued_at DESC);

    -- Every graded quiz submission: user_lesson_progress keeps the best score, this keeps the latest and the history.
    CREATE TABLE learn_quiz_attempts (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        lesson_id UUID NOT NULL REFERENCES learn_lessons (id) ON DELETE CASCADE,
        score INTEGER NOT NULL CHECK (score BETWEEN 0 AND 100),
        passed BOOLEAN NOT NULL,
        answers JSONB NOT NULL,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    CREATE INDEX learn_quiz_attempts_user_lesson_idx ON learn_quiz_attempts (user_id, lesson_id, created_at DESC);

    -- One spaced-review card per user per reviewable item: a lesson's quiz question ("q:<lesson>:<question>") or a
    -- drill's item kind ("d:<drill>"). card holds the FSRS scheduler's card state; due is copied out for the index.
    -- seed picks the drill item shown at the next review, so the server can grade what it showed.
    CREATE TABLE learn_review_cards (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        item_key TEXT NOT NULL,
        lesson_id UUID REFERENCES learn_lessons (id) ON DELETE CASCADE,
        question_id TEXT,
        drill_id UUID REFERENCES learn_drills (id) ON DELETE CASCADE,
        card JSONB NOT NULL,
        due TIMESTAMPTZ NOT NULL,
        seed BIGINT NOT NULL,
        reps INTEGER NOT NULL DEFAULT 0,
        lapses INTEGER NOT NULL DEFAULT 0,
        last_review TIMESTAMPTZ,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        CONSTRAINT learn_review_cards_user_item_key UNIQUE (user_id, item_key),
        CHECK ((lesson_id IS NOT NULL AND question_id IS NOT NULL AND drill_id IS NULL)
               OR (drill_id IS NOT NULL AND lesson_id IS NULL AND question_id IS NULL))
    );
    CREATE INDEX learn_review_cards_due_idx ON learn_review_cards (user_id, due);

    CREATE TABLE learn_review_logs (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        card_id UUID NOT NULL REFERENCES learn_review_cards (id) ON DELETE CASCADE,
        user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        rating TEXT NOT NULL CHECK (rating IN ('again', 'hard', 'good', 'easy')),
        correct BOOLEAN NOT NULL,
        due_before TIMESTAMPTZ NOT NULL,
        due_after TIMESTAMPTZ NOT NULL,
        xp_awarded INTEGER NOT NULL DEFAULT 0,
        reviewed_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    CREATE INDEX learn_review_logs_user_idx ON learn_review_logs (user_id, reviewed_at DESC);

    -- Responses to graded submissions sent with an Idempotency-Key: a retry with the same key answers the same and
    -- changes nothing; the same key for another request is refused.
    CREATE TABLE learn_request_keys (
        user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        idempotency_key TEXT NOT NULL,
        request TEXT NOT NULL,
        response JSONB NOT NULL,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        CONSTRAINT learn_request_keys_pkey PRIMARY KEY (user_id, idempotency_key)
    );

    -- What a user has used of a daily cap on a UTC day (bucket: 'review-xp', 'drill-xp:<drill id>').
    CREATE TABLE learn_daily_usage (
        user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        day DATE NOT NULL,
        bucket TEXT NOT NULL,
        amount INTEGER NOT NULL DEFAULT 0 CHECK (amount >= 0),
        PRIMARY KEY (user_id, day, bucket)
    );
    """)


def downgrade() -> None:
    op.execute("""
    DROP TABLE learn_daily_usage;
    DROP TABLE learn_request_keys;
    DROP TABLE learn_review_logs;
    DROP TABLE learn_review_cards;
    DROP TABLE learn_quiz_attempts;
    DROP TABLE learn_drill_rounds;
    """)
