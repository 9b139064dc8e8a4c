"""Index the review queue's order, so a page of a long queue is not a sort of
every answer of the challenge.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22

"""
from typing import Sequence, Union

from alembic import op

revision: str = "0002"
down_revision: Union[str, Sequence[str], None] = "0001"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # A database made by create_all before migrations existed may have it already.
    op.create_index(
        "ix_answers_queue_order", "answers", ["challenge_id", "submitted_at", "id"], unique=False, if_not_exists=True
    )


def downgrade() -> None:
    op.drop_index("ix_answers_queue_order", table_name="answers", if_exists=True)
