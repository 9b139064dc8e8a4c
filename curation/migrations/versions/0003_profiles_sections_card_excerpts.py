"""Profile link and opt-in public page of a person; the series' sections of a
challenge; the card excerpt of an answer, with the author's consent.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: Union[str, Sequence[str], None] = "0002"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("profile_url", sa.String(length=500), nullable=False, server_default=""))
        batch.add_column(sa.Column("has_public_page", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("public_slug", sa.String(length=120), nullable=True))
        batch.add_column(sa.Column("bio", sa.Text(), nullable=False, server_default=""))
        batch.create_unique_constraint(op.f("uq_users_public_slug"), ["public_slug"])
    with op.batch_alter_table("challenges") as batch:
        for name in ("challenge_text", "challenge_text_html", "challengers_text", "challengers_text_html"):
            batch.add_column(sa.Column(name, sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("results_title", sa.String(length=200), nullable=False, server_default=""))
    with op.batch_alter_table("answers") as batch:
        batch.add_column(sa.Column("card_excerpt", sa.Text(), nullable=True))
        batch.add_column(sa.Column("card_excerpt_consent", sa.String(length=24), nullable=False, server_default="none"))
        batch.add_column(sa.Column("card_excerpt_author_note", sa.Text(), nullable=False, server_default=""))
        batch.create_check_constraint(
            op.f("ck_answers_card_excerpt_consent"),
            "card_excerpt_consent IN ('none', 'pending', 'accepted', 'declined')",
        )


def downgrade() -> None:
    with op.batch_alter_table("answers") as batch:
        batch.drop_constraint(op.f("ck_answers_card_excerpt_consent"), type_="check")
        for name in ("card_excerpt_author_note", "card_excerpt_consent", "card_excerpt"):
            batch.drop_column(name)
    with op.batch_alter_table("challenges") as batch:
        for name in ("results_title", "challengers_text_html", "challengers_text", "challenge_text_html", "challenge_text"):
            batch.drop_column(name)
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint(op.f("uq_users_public_slug"), type_="unique")
        for name in ("bio", "public_slug", "has_public_page", "profile_url"):
            batch.drop_column(name)
