"""Identity: users, bearer sessions, one-time sign-in tokens (foundation.md, 0001_auth).

Also the set_updated_at() trigger function that every table with an updated_at column uses.

Revision ID: 0001_auth
Revises:
"""

from alembic import op
from momentum_infra.migrate import apply_sql

revision = "0001_auth"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    apply_sql("set_updated_at")
    op.execute("""
    -- The spec names the unique indexes on users.email and sessions.token: naming the UNIQUE constraints so
    -- gives one index with the spec's name instead of a second, duplicate one.
    CREATE TABLE users (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        name TEXT,
        email TEXT NOT NULL CONSTRAINT users_email_idx UNIQUE,
        email_verified TIMESTAMPTZ,
        image TEXT,
        role TEXT NOT NULL DEFAULT 'user',
        approved BOOLEAN NOT NULL DEFAULT false,
        age_verified BOOLEAN NOT NULL DEFAULT false,
        tos_accepted BOOLEAN NOT NULL DEFAULT false,
        tos_accepted_at TIMESTAMPTZ,
        tos_version TEXT,
        last_activity_at TIMESTAMPTZ,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );
    CREATE TRIGGER users_set_updated_at BEFORE UPDATE ON users
        FOR EACH ROW EXECUTE FUNCTION set_updated_at();

    CREATE TABLE sessions (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID REFERENCES users (id) ON DELETE CASCADE,
        token TEXT NOT NULL CONSTRAINT sessions_token_idx UNIQUE,
        expires_at TIMESTAMPTZ NOT NULL,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        last_activity_at TIMESTAMPTZ DEFAULT NOW(),
        user_agent TEXT,
        ip_address TEXT,
        rotated_from UUID
    );
    CREATE INDEX sessions_user_id_idx ON sessions (user_id);
    CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);

    CREATE TABLE verification_tokens (
        identifier TEXT NOT NULL,
        token TEXT NOT NULL UNIQUE,
        expires TIMESTAMPTZ NOT NULL,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        PRIMARY KEY (identifier, token)
    );
    -- Ours, not the spec's: sign-in looks up an address's newest codes (and rate-limits them) by identifier.
    CREATE INDEX verification_tokens_identifier_idx ON verification_tokens (identifier, created_at);
    """)


def downgrade() -> None:
    op.execute("""
    DROP TABLE verification_tokens;
    DROP TABLE sessions;
    DROP TABLE users;
    DROP FUNCTION set_updated_at();
    """)
