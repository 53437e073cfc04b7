"""reserved for issue 10 (security: session generation, mail outbox retries, rate limits): a no-op until that work fills it in

Revision ID: 0004
Revises: 0003
"""

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
