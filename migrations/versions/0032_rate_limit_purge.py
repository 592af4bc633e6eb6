"""The abuse-limit events by age, for the hourly purge (``limits.purge``).

The purge deletes the events older than every limit's window, whatever their scope and subject. The only index,
``rate_limit_events_scope_subject_created_at_idx``, leads with the scope and subject, so it cannot find rows by age:
each batch, and the last statement of every run (which finds none left), scans the whole table. With 1,000,000 live
events and 5,000 old ones, a batch and the last statement took 60 to 85 ms each without this index, 5 ms and
0.02 ms with it (``psql … -f bench/rate_limit_purge.sql``). Building it holds off new events (sign-in link
requests, failed verifications) while it is built: 0.3 s for those 1,005,000 rows.

Revision ID: 0032_rate_limit_purge
Revises: 0031_lesson_stars_index
"""

from alembic import op

revision = "0032_rate_limit_purge"
down_revision = "0031_lesson_stars_index"
branch_labels = None
depends_on = None

OWN_TABLES: tuple[str, ...] = ()


def upgrade() -> None:
    op.execute("CREATE INDEX rate_limit_events_created_at_idx ON rate_limit_events (created_at)")


def downgrade() -> None:
    op.execute("DROP INDEX rate_limit_events_created_at_idx")
