"""placements and coverage actions (issue 13): confirmation by the student, waiting list,
relaunches of the écoles without an offer, weekly digests

- ``campaigns.confirmation_delay_days``: days a student has to confirm an accepted stage;
- ``candidatures.confirmed_at`` / ``waitlisted_at``; once accepted, ``deadline_at`` is the
  student's confirmation deadline (see ``stages.domain.placements``): the acceptances already
  in the database get the full delay from this migration on;
- ``school_relaunches``: every "Relancer les écoles sans offre" mail, per school;
- ``digest_runs``: one weekly digest per recipient and ISO week (idempotent).

Revision ID: 0006
Revises: 0005
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("campaigns") as batch:
        batch.add_column(sa.Column("confirmation_delay_days", sa.Integer(), nullable=False, server_default="15"))
    with op.batch_alter_table("candidatures") as batch:
        batch.add_column(sa.Column("confirmed_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("waitlisted_at", sa.DateTime(), nullable=True))
    # Acceptances made before this version had no confirmation step: they get the full delay now.
    until = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0) + dt.timedelta(days=15)
    op.get_bind().execute(
        sa.text("UPDATE candidatures SET deadline_at = :until WHERE status = 'accepted'"), {"until": until}
    )
    op.create_table(
        "school_relaunches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.Column("sent_by_id", sa.Integer(), nullable=True),
        sa.Column("to_address", sa.String(length=254), nullable=False),
        sa.Column("forced", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaigns.id"]),
        sa.ForeignKeyConstraint(["school_id"], ["schools.id"]),
        sa.ForeignKeyConstraint(["sent_by_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_school_relaunches_school_sent", "school_relaunches", ["school_id", "sent_at"])
    op.create_table(
        "digest_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("week_key", sa.String(length=10), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "week_key", name="uq_digest_user_week"),
    )


def downgrade() -> None:
    op.drop_table("digest_runs")
    op.drop_index("ix_school_relaunches_school_sent", table_name="school_relaunches")
    op.drop_table("school_relaunches")
    with op.batch_alter_table("candidatures") as batch:
        batch.drop_column("waitlisted_at")
        batch.drop_column("confirmed_at")
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_column("confirmation_delay_days")
