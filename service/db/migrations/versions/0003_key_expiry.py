"""API keys: expiry (for rotation) and a count of refused authentications.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("api_keys", sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("api_keys", sa.Column("failed_auth_count", sa.Integer(), server_default="0", nullable=False))
    op.add_column("api_keys", sa.Column("last_failed_auth_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # Batch mode: SQLite rebuilds the table where it cannot drop a column in place.
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_column("last_failed_auth_at")
        batch.drop_column("failed_auth_count")
        batch.drop_column("expires_at")
