"""Athletes: time zone and intensity zones, for reading activity files.

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("athletes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("timezone", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("max_hr_bpm", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("threshold_hr_bpm", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("threshold_pace_s_per_km", sa.Float(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("athletes", schema=None) as batch_op:
        batch_op.drop_column("threshold_pace_s_per_km")
        batch_op.drop_column("threshold_hr_bpm")
        batch_op.drop_column("max_hr_bpm")
        batch_op.drop_column("timezone")
