"""Creating and upgrading the database schema."""
from __future__ import annotations

from curation import db, models  # noqa: F401  (models registers the tables)
from curation.db import Base


def upgrade() -> None:
    Base.metadata.create_all(db.engine())
