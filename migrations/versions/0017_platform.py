"""Platform, ours (not the spec's): the timezone history behind local-day rules, and the indexes the platform
routes need (keyset pages, tag filters, full-text search over expressions, so no column is added).

Revision ID: 0017_platform_extras
Revises: 0015_books
"""

from alembic import op

revision = "0017_platform_extras"
down_revision = "0015_books"
branch_labels = None
depends_on = None

# Tables of our own this revision adds (the schema test holds each revision to exactly its tables).
OWN_TABLES = ("timezone_changes",)

# The text each capture table is searched by; momentum.platform.capture uses the same expressions, so the
# planner can use these indexes. to_tsvector with an explicit configuration is immutable, as an index needs.
SEARCH = {
    "inbox_items": "to_tsvector('english'::regconfig, title || ' ' || coalesce(description, ''))",
    "ideas": "to_tsvector('english'::regconfig, title || ' ' || coalesce(content, ''))",
    "infobase_entries": "to_tsvector('english'::regconfig, title || ' ' || content)",
    "user_references": (
        "to_tsvector('english'::regconfig, title || ' ' || coalesce(content, '') || ' ' || coalesce(url, ''))"
    ),
}

# Lists put what needs attention first (unprocessed, pinned), then newest: the same order as these indexes, so a
# page is read off the index instead of sorting all of a user's rows.
FIRST = {
    "inbox_items": "(is_processed::int)",
    "ideas": "((NOT is_pinned)::int)",
    "infobase_entries": "((NOT is_pinned)::int)",
    "user_references": "((NOT is_pinned)::int)",
}


def upgrade() -> None:
    op.execute("""
    -- Each change of a person's timezone setting. A day rule that must not be gamed by changing the timezone
    -- (a second daily reward in one real day, saving a lost streak) looks at every zone used recently.
    CREATE TABLE timezone_changes (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        old_timezone TEXT NOT NULL,
        new_timezone TEXT NOT NULL,
        changed_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );
    CREATE INDEX timezone_changes_user_idx ON timezone_changes (user_id, changed_at DESC);

    CREATE INDEX feedback_user_created_idx ON feedback (user_id, created_at DESC, id DESC);
    CREATE INDEX feedback_created_idx ON feedback (created_at DESC, id DESC);
    CREATE INDEX onboarding_steps_flow_idx ON onboarding_steps (flow_id, step_order);
    CREATE INDEX user_onboarding_state_user_idx ON user_onboarding_state (user_id, flow_id);
    CREATE INDEX audit_log_resource_idx ON audit_log (resource_type, resource_id);
    CREATE INDEX users_created_idx ON users (created_at DESC, id DESC);
    """)
    for table, expression in SEARCH.items():
        op.execute(f"""
        CREATE INDEX {table}_user_order_idx ON {table} (user_id, {FIRST[table]}, created_at DESC, id DESC);
        CREATE INDEX {table}_tags_idx ON {table} USING gin (tags);
        CREATE INDEX {table}_search_idx ON {table} USING gin (({expression}));
        """)


def downgrade() -> None:
    for table in SEARCH:
        op.execute(f"""
        DROP INDEX {table}_search_idx;
        DROP INDEX {table}_tags_idx;
        DROP INDEX {table}_user_order_idx;
        """)
    op.execute("""
    DROP INDEX users_created_idx;
    DROP INDEX audit_log_resource_idx;
    DROP INDEX user_onboarding_state_user_idx;
    DROP INDEX onboarding_steps_flow_idx;
    DROP INDEX feedback_created_idx;
    DROP INDEX feedback_user_created_idx;
    DROP TABLE timezone_changes;
    """)
