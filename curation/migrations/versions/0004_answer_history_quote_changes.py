"""An answer's history of moves with their notes; proposed changes to the
words of a published quote, with the author's consent to the new words.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: Union[str, Sequence[str], None] = "0003"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

STATES = "'draft', 'submitted', 'approved', 'changes_requested', 'rejected', 'withdrawn'"
PARTIES = "'author', 'editor'"


def upgrade() -> None:
    op.create_table(
        "answer_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("answer_id", sa.Integer(), nullable=False),
        sa.Column("from_state", sa.String(length=24), nullable=False),
        sa.Column("to_state", sa.String(length=24), nullable=False),
        sa.Column("party", sa.String(length=24), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["answer_id"], ["answers.id"], name=op.f("fk_answer_history_answer_id_answers")),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_answer_history_actor_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer_history")),
        sa.CheckConstraint(f"from_state IN ({STATES})", name=op.f("ck_answer_history_from_state")),
        sa.CheckConstraint(f"to_state IN ({STATES})", name=op.f("ck_answer_history_to_state")),
        sa.CheckConstraint(f"party IN ({PARTIES})", name=op.f("ck_answer_history_party")),
    )
    op.create_index(op.f("ix_answer_history_answer_id"), "answer_history", ["answer_id"], unique=False)
    op.create_table(
        "quote_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("answer_id", sa.Integer(), nullable=False),
        sa.Column("proposed_by", sa.String(length=24), nullable=False),
        sa.Column("proposer_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("excerpt", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("response_note", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("applied_at", sa.DateTime(), nullable=True),
        sa.Column("consent_by_id", sa.Integer(), nullable=True),
        sa.Column("consented_at", sa.DateTime(), nullable=True),
        sa.Column("consented_words", sa.Text(), nullable=True),
        sa.Column("consent_statement", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["answer_id"], ["answers.id"], name=op.f("fk_quote_changes_answer_id_answers")),
        sa.ForeignKeyConstraint(["proposer_id"], ["users.id"], name=op.f("fk_quote_changes_proposer_id_users")),
        sa.ForeignKeyConstraint(["consent_by_id"], ["users.id"], name=op.f("fk_quote_changes_consent_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quote_changes")),
        sa.CheckConstraint(f"proposed_by IN ({PARTIES})", name=op.f("ck_quote_changes_proposed_by")),
        sa.CheckConstraint("kind IN ('excerpt', 'whole_answer', 'wording')", name=op.f("ck_quote_changes_kind")),
        sa.CheckConstraint(
            "state IN ('pending', 'approved', 'accepted', 'declined', 'superseded')",
            name=op.f("ck_quote_changes_state"),
        ),
    )
    op.create_index(op.f("ix_quote_changes_answer_id"), "quote_changes", ["answer_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_quote_changes_answer_id"), table_name="quote_changes")
    op.drop_table("quote_changes")
    op.drop_index(op.f("ix_answer_history_answer_id"), table_name="answer_history")
    op.drop_table("answer_history")
