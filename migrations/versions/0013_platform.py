"""Platform (schema-part2.md, 0013).

Feedback, ideas, knowledge base, onboarding, interests, settings, inbox, references, feature flags.

Revision ID: 0013_platform
Revises: 0012_reference
"""

from alembic import op

revision = "0013_platform"
down_revision = "0012_reference"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
    CREATE TABLE feedback (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID REFERENCES users (id) ON DELETE CASCADE,
        feedback_type TEXT NOT NULL,
        title TEXT NOT NULL,
        description TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'new',
        priority TEXT DEFAULT 'normal',
        admin_response TEXT,
        resolved_at TIMESTAMPTZ,
        metadata JSONB,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );
    CREATE TRIGGER feedback_set_updated_at BEFORE UPDATE ON feedback
        FOR EACH ROW EXECUTE FUNCTION set_updated_at();

    CREATE TABLE ideas (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID REFERENCES users (id) ON DELETE CASCADE,
        title TEXT NOT NULL,
        content TEXT,
        category TEXT,
        tags TEXT[],
        is_pinned BOOLEAN NOT NULL DEFAULT false,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );
    CREATE TRIGGER ideas_set_updated_at BEFORE UPDATE ON ideas
        FOR EACH ROW EXECUTE FUNCTION set_updated_at();

    CREATE TABLE infobase_entries (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID REFERENCES users (id) ON DELETE CASCADE,
        title TEXT NOT NULL,
        content TEXT NOT NULL,
        category TEXT,
        tags TEXT[],
        is_pinned BOOLEAN NOT NULL DEFAULT false,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );
    CREATE TRIGGER infobase_entries_set_updated_at BEFORE UPDATE ON infobase_entries
        FOR EACH ROW EXECUTE FUNCTION set_updated_at();

    CREATE TABLE onboarding_flows (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        name TEXT NOT NULL UNIQUE,
        description TEXT,
        is_active BOOLEAN NOT NULL DEFAULT true,
        total_steps INTEGER NOT NULL DEFAULT 0,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );
    CREATE TRIGGER onboarding_flows_set_updated_at BEFORE UPDATE ON onboarding_flows
        FOR EACH ROW EXECUTE FUNCTION set_updated_at();

    CREATE TABLE onboarding_steps (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        flow_id UUID REFERENCES onboarding_flows (id) ON DELETE CASCADE,
        step_order INTEGER NOT NULL,
        step_type TEXT NOT NULL,
        title TEXT NOT NULL,
        description TEXT,
        target_selector TEXT,
        target_route TEXT,
        fallback_content TEXT,
        options JSONB,
        allows_multiple BOOLEAN NOT NULL DEFAULT false,
        required BOOLEAN NOT NULL DEFAULT false,
        action_type TEXT,
        action_config JSONB,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );
    CREATE TRIGGER onboarding_steps_set_updated_at BEFORE UPDATE ON onboarding_steps
        FOR EACH ROW EXECUTE FUNCTION set_updated_at();

    CREATE TABLE user_onboarding_state (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID REFERENCES users (id) ON DELETE CASCADE,
        flow_id UUID REFERENCES onboarding_flows (id) ON DELETE CASCADE,
        current_step_id UUID REFERENCES onboarding_steps (id),
        status TEXT NOT NULL DEFAULT 'pending',
        can_resume BOOLEAN NOT NULL DEFAULT true,
        started_at TIMESTAMPTZ,
        completed_at TIMESTAMPTZ,
        skipped_at TIMESTAMPTZ,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );
    CREATE TRIGGER user_onboarding_state_set_updated_at BEFORE UPDATE ON user_onboarding_state
        FOR EACH ROW EXECUTE FUNCTION set_updated_at();

    CREATE TABLE user_onboarding_responses (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID REFERENCES users (id) ON DELETE CASCADE,
        step_id UUID REFERENCES onboarding_steps (id) ON DELETE CASCADE,
        response JSONB NOT NULL,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );
    CREATE UNIQUE INDEX user_onboarding_responses_user_step_idx ON user_onboarding_responses (user_id, step_id);

    CREATE TABLE user_interests (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID REFERENCES users (id) ON DELETE CASCADE,
        interest_key TEXT NOT NULL,
        interest_label TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );
    CREATE UNIQUE INDEX user_interests_user_key_idx ON user_interests (user_id, interest_key);

    CREATE TABLE user_settings (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID REFERENCES users (id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        value JSONB NOT NULL,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );
    CREATE UNIQUE INDEX user_settings_user_key_idx ON user_settings (user_id, key);
    CREATE TRIGGER user_settings_set_updated_at BEFORE UPDATE ON user_settings
        FOR EACH ROW EXECUTE FUNCTION set_updated_at();

    CREATE TABLE inbox_items (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID REFERENCES users (id) ON DELETE CASCADE,
        title TEXT NOT NULL,
        description TEXT,
        item_type TEXT NOT NULL DEFAULT 'note',
        tags TEXT[],
        is_processed BOOLEAN NOT NULL DEFAULT false,
        processed_at TIMESTAMPTZ,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );
    CREATE TRIGGER inbox_items_set_updated_at BEFORE UPDATE ON inbox_items
        FOR EACH ROW EXECUTE FUNCTION set_updated_at();

    CREATE TABLE user_references (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID REFERENCES users (id) ON DELETE CASCADE,
        title TEXT NOT NULL,
        content TEXT,
        url TEXT,
        category TEXT,
        tags TEXT[],
        is_pinned BOOLEAN NOT NULL DEFAULT false,
        is_archived BOOLEAN NOT NULL DEFAULT false,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );
    CREATE TRIGGER user_references_set_updated_at BEFORE UPDATE ON user_references
        FOR EACH ROW EXECUTE FUNCTION set_updated_at();

    CREATE TABLE feature_flags (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        flag_name TEXT NOT NULL UNIQUE,
        enabled BOOLEAN NOT NULL DEFAULT false,
        description TEXT,
        metadata JSONB,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );
    CREATE TRIGGER feature_flags_set_updated_at BEFORE UPDATE ON feature_flags
        FOR EACH ROW EXECUTE FUNCTION set_updated_at();
    """)


def downgrade() -> None:
    op.execute("""
    DROP TABLE feature_flags;
    DROP TABLE user_references;
    DROP TABLE inbox_items;
    DROP TABLE user_settings;
    DROP TABLE user_interests;
    DROP TABLE user_onboarding_responses;
    DROP TABLE user_onboarding_state;
    DROP TABLE onboarding_steps;
    DROP TABLE onboarding_flows;
    DROP TABLE infobase_entries;
    DROP TABLE ideas;
    DROP TABLE feedback;
    """)
