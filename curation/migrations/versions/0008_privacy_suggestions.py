"""Privacy check acknowledgements, the crisis-resources choice of a challenge,
readers' suggestions.

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-01

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: Union[str, Sequence[str], None] = "0006"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("challenges") as batch:
        batch.add_column(sa.Column("adds_crisis_resources", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "privacy_acknowledgements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("answer_id", sa.Integer(), nullable=False),
        sa.Column("flag_key", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("passage", sa.Text(), nullable=False),
        sa.Column("acknowledged_by_id", sa.Integer(), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["answer_id"], ["answers.id"], name=op.f("fk_privacy_acknowledgements_answer_id_answers")),
        sa.ForeignKeyConstraint(["acknowledged_by_id"], ["users.id"],
                                name=op.f("fk_privacy_acknowledgements_acknowledged_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_acknowledgements")),
        sa.UniqueConstraint("answer_id", "flag_key", name="one_acknowledgement_per_flag"),
    )
    op.create_index(op.f("ix_privacy_acknowledgements_answer_id"), "privacy_acknowledgements", ["answer_id"])
    op.create_table(
        "suggestions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("reader_told_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("state IN ('new', 'used', 'dismissed')", name=op.f("ck_suggestions_suggestion_state")),
        sa.ForeignKeyConstraint(["challenge_id"], ["challenges.id"], name=op.f("fk_suggestions_challenge_id_challenges")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suggestions")),
    )
    op.create_index(op.f("ix_suggestions_challenge_id"), "suggestions", ["challenge_id"])
    op.create_index(op.f("ix_suggestions_created_at"), "suggestions", ["created_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_suggestions_created_at"), table_name="suggestions")
    op.drop_index(op.f("ix_suggestions_challenge_id"), table_name="suggestions")
    op.drop_table("suggestions")
    op.drop_index(op.f("ix_privacy_acknowledgements_answer_id"), table_name="privacy_acknowledgements")
    op.drop_table("privacy_acknowledgements")
    with op.batch_alter_table("challenges") as batch:
        batch.drop_column("adds_crisis_resources")
