"""conventions: the signature circuit (parts, signatures, legal representatives' links, uploads)

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conventions") as batch:
        batch.add_column(sa.Column("host_part", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("lycee_part", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("student_part", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("document_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("cancelled_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("reminders_sent", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("updated_at", sa.DateTime(), nullable=True))
    op.execute("UPDATE conventions SET status = 'to_complete' WHERE status = 'to_generate'")
    op.create_table(
        "convention_signatures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("convention_id", sa.Integer(), nullable=False),
        sa.Column("party", sa.String(length=20), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("signer_name", sa.String(length=200), nullable=False),
        sa.Column("signer_email", sa.String(length=254), nullable=False),
        sa.Column("signed_at", sa.DateTime(), nullable=False),
        sa.Column("document_hash", sa.String(length=64), nullable=False),
        sa.Column("client_address", sa.String(length=64), nullable=True),
        sa.Column("invalidated_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["convention_id"], ["conventions.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_convention_signatures_conv", "convention_signatures", ["convention_id", "party"])
    op.create_table(
        "convention_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("convention_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["convention_id"], ["conventions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_convention_tokens_convention_id", "convention_tokens", ["convention_id"])
    op.create_table(
        "convention_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("convention_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["convention_id"], ["conventions.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_convention_files_convention_id", "convention_files", ["convention_id"])


def downgrade() -> None:
    op.drop_table("convention_files")
    op.drop_table("convention_tokens")
    op.drop_table("convention_signatures")
    op.execute("UPDATE conventions SET status = 'to_generate' WHERE status = 'to_complete'")
    with op.batch_alter_table("conventions") as batch:
        for column in ("updated_at", "reminders_sent", "cancelled_at", "document_hash", "student_part",
                       "lycee_part", "host_part"):
            batch.drop_column(column)
