"""Roles and the security trail: roles, user_roles, audit_log, activity_events (foundation.md, 0002_rbac).

Revision ID: 0002_rbac
Revises: 0001_auth
"""

from alembic import op

revision = "0002_rbac"
down_revision = "0001_auth"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
    CREATE TABLE roles (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        name TEXT NOT NULL UNIQUE,
        description TEXT,
        parent_role_id UUID REFERENCES roles (id),
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );
    -- Admin-only routes check this role.
    INSERT INTO roles (name, description) VALUES ('admin', 'Administers the catalogue, users and feedback')
    ON CONFLICT DO NOTHING;

    CREATE TABLE user_roles (
        user_id UUID REFERENCES users (id) ON DELETE CASCADE,
        role_id UUID REFERENCES roles (id) ON DELETE CASCADE,
        granted_by UUID REFERENCES users (id),
        granted_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        expires_at TIMESTAMPTZ,
        PRIMARY KEY (user_id, role_id)
    );

    CREATE TABLE audit_log (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID REFERENCES users (id),
        session_id UUID REFERENCES sessions (id),
        event_type TEXT NOT NULL,
        resource_type TEXT,
        resource_id UUID,
        action TEXT,
        status TEXT NOT NULL,
        details JSONB,
        ip_address TEXT,
        user_agent TEXT,
        request_id TEXT,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );
    CREATE INDEX audit_log_user_id_idx ON audit_log (user_id);
    CREATE INDEX audit_log_created_at_idx ON audit_log (created_at DESC);
    CREATE INDEX audit_log_event_type_idx ON audit_log (event_type);

    CREATE TABLE activity_events (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID REFERENCES users (id) ON DELETE CASCADE,
        event_type TEXT NOT NULL,
        category TEXT,
        metadata JSONB,
        xp_earned INTEGER DEFAULT 0,
        coins_earned INTEGER DEFAULT 0,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );
    CREATE INDEX activity_events_user_id_idx ON activity_events (user_id);
    CREATE INDEX activity_events_created_at_idx ON activity_events (created_at DESC);
    """)


def downgrade() -> None:
    op.execute("""
    DROP TABLE activity_events;
    DROP TABLE audit_log;
    DROP TABLE user_roles;
    DROP TABLE roles;
    """)
