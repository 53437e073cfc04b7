"""production (issue 15): a login without "Se souvenir de moi" gets a browser-session cookie too

``auth_sessions.persistent``: true for a remembered login (14-day cookie), false for a
browser-session cookie (ends with the browser, and after 30 minutes without activity).
``auth_sessions.session_generation``: the account's ``users.session_generation`` when the login was
checked; a cookie of an older generation (password changed or reset, "Se déconnecter") no longer logs in.

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
    op.add_column("auth_sessions", sa.Column("session_generation", sa.Integer(), nullable=False, server_default="0"))
    # The cookies already open belong to their account's current generation.
    op.execute("UPDATE auth_sessions SET session_generation = "
               "(SELECT users.session_generation FROM users WHERE users.id = auth_sessions.user_id)")


def downgrade() -> None:
    with op.batch_alter_table("auth_sessions") as batch:
        batch.drop_column("session_generation")
        batch.drop_column("persistent")
