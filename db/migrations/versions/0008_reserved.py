"""production (issue 15): a login without "Se souvenir de moi" gets a browser-session cookie too

``auth_sessions.persistent``: true for a remembered login (14-day cookie), false for a
browser-session cookie (ends with the browser, and after 30 minutes without activity).

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("auth_sessions", sa.Column("persistent", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table("auth_sessions") as batch:
        batch.drop_column("persistent")
