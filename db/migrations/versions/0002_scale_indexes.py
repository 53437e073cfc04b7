"""indexes for national-scale data (issue 7: 45,000 schools, 100,000 offers, 1,000,000 candidatures)

- ``updated_at`` of offers, candidatures and schools: the dashboard's data version reads their
  ``max()`` on every rerun; with an index it is one B-tree lookup instead of a full scan.
- candidatures (status, offer_id): the places taken per offer (accepted candidatures grouped by
  offer) are read from the index alone, without visiting the table.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_offers_updated_at", "offers", ["updated_at"])
    op.create_index("ix_candidatures_updated_at", "candidatures", ["updated_at"])
    op.create_index("ix_schools_updated_at", "schools", ["updated_at"])
    op.create_index("ix_candidatures_status_offer", "candidatures", ["status", "offer_id"])


def downgrade() -> None:
    op.drop_index("ix_candidatures_status_offer", table_name="candidatures")
    op.drop_index("ix_schools_updated_at", table_name="schools")
    op.drop_index("ix_candidatures_updated_at", table_name="candidatures")
    op.drop_index("ix_offers_updated_at", table_name="offers")
