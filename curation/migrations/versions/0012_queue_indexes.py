"""Index what the review queue of a challenge asks, so that it reads indexes
only however many therapists, answers and audit entries there are: the active
therapists by name, each answer's state with its author, and what happened to
one object.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02

"""
from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_users_role_deactivated_name", "users", ["role", "is_deactivated", "name"], unique=False)
    # the new index begins with the old one's columns, so it serves the queue's counts as well
    op.create_index(
        "ix_answers_challenge_state_author", "answers", ["challenge_id", "state", "author_id"], unique=False
    )
    op.drop_index("ix_answers_challenge_state", table_name="answers")
    op.create_index(
        "ix_audit_entries_subject", "audit_entries", ["subject_type", "subject_id", "action"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_audit_entries_subject", table_name="audit_entries")
    op.create_index("ix_answers_challenge_state", "answers", ["challenge_id", "state"], unique=False)
    op.drop_index("ix_answers_challenge_state_author", table_name="answers")
    op.drop_index("ix_users_role_deactivated_name", table_name="users")
