"""Abuse limits: a log of the events each limit counts (momentum.limits).

One row per counted event (a sign-in link requested from an address, a failed verification of an email), kept
while it can still count: each check deletes its subject's rows older than the window. Not in the schema spec, a
table of our own.

Revision ID: 0020_limits
Revises: 0019_part1
"""

from alembic import op

revision = "0020_limits"
down_revision = "0019_part1"
branch_labels = None
depends_on = None

# Tables of our own this revision adds (the schema test holds each revision to exactly its tables).
OWN_TABLES = ("rate_limit_events",)


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE rate_limit_events (
            scope TEXT NOT NULL,
            subject TEXT NOT NULL,
            created_at TIMESTAMPTZ NOT NULL DEFAULT now()
        );
        CREATE INDEX rate_limit_events_scope_subject_created_at_idx
            ON rate_limit_events (scope, subject, created_at);
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE rate_limit_events")
