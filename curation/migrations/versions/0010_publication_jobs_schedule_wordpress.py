"""Work after a publish (cards, static files, the WordPress copy) as a queue;
scheduled editions; the page compressed at publish time; the WordPress post of
each feature.

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-01

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: Union[str, Sequence[str], None] = "0008"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("challenges") as batch:
        batch.add_column(sa.Column("publish_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("scheduled_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("schedule_problem", sa.Text(), nullable=False, server_default=""))
        batch.create_index(op.f("ix_challenges_publish_at"), ["publish_at"])
        batch.create_foreign_key(op.f("fk_challenges_scheduled_by_id_users"), "users", ["scheduled_by_id"], ["id"])
    with op.batch_alter_table("publications") as batch:
        batch.add_column(sa.Column("html_gzip", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("html_brotli", sa.LargeBinary(), nullable=True))
    op.create_table(
        "publication_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("cards", "static_files", "wordpress", name="job_kind", native_enum=False,
                    create_constraint=True, length=24),
            nullable=False,
        ),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("publication_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["challenge_id"], ["challenges.id"], name=op.f("fk_publication_jobs_challenge_id_challenges")),
        sa.ForeignKeyConstraint(
            ["publication_id"], ["publications.id"], name=op.f("fk_publication_jobs_publication_id_publications")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publication_jobs")),
    )
    op.create_index(op.f("ix_publication_jobs_challenge_id"), "publication_jobs", ["challenge_id"])
    op.create_index(op.f("ix_publication_jobs_next_attempt_at"), "publication_jobs", ["next_attempt_at"])
    op.create_table(
        "wordpress_posts",
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=False),
        sa.Column("publication_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["challenge_id"], ["challenges.id"], name=op.f("fk_wordpress_posts_challenge_id_challenges")),
        sa.ForeignKeyConstraint(
            ["publication_id"], ["publications.id"], name=op.f("fk_wordpress_posts_publication_id_publications")
        ),
        sa.PrimaryKeyConstraint("challenge_id", name=op.f("pk_wordpress_posts")),
    )


def downgrade() -> None:
    op.drop_table("wordpress_posts")
    op.drop_table("publication_jobs")
    with op.batch_alter_table("publications") as batch:
        batch.drop_column("html_brotli")
        batch.drop_column("html_gzip")
    with op.batch_alter_table("challenges") as batch:
        batch.drop_constraint(op.f("fk_challenges_scheduled_by_id_users"), type_="foreignkey")
        batch.drop_index(op.f("ix_challenges_publish_at"))
        for name in ("schedule_problem", "scheduled_by_id", "publish_at"):
            batch.drop_column(name)
