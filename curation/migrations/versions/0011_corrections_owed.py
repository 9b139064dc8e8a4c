"""A challenge changed since its publication owes a correction; a publication
keeps a hash of what readers see, to tell a fresh compile from it cheaply.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("challenges") as batch:
        batch.add_column(sa.Column("needs_correction", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("publications") as batch:
        # Rows published before this revision have none: their stored data is hashed when needed.
        batch.add_column(sa.Column("content_hash", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("publications") as batch:
        batch.drop_column("content_hash")
    with op.batch_alter_table("challenges") as batch:
        batch.drop_column("needs_correction")
