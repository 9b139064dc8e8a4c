"""The audit log: every state change, who made it and when."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from curation.db import utcnow
from curation.models import AuditEntry, User


def record(
    session: Session, actor: User | None, action: str, subject: object, detail: str = ""
) -> AuditEntry:
    entry = AuditEntry(
        at=utcnow(),
        actor_id=actor.id if actor is not None else None,
        action=action,
        subject_type="site" if subject is None else type(subject).__name__.lower(),
        subject_id=getattr(subject, "id", None),
        detail=detail,
    )
    session.add(entry)
    session.flush()
    return entry


def page(session: Session, number: int, per_page: int = 50) -> tuple[list[AuditEntry], int]:
    total = session.scalar(select(func.count(AuditEntry.id))) or 0
    entries = session.scalars(
        select(AuditEntry)
        .options(selectinload(AuditEntry.actor))
        .order_by(AuditEntry.id.desc())
        .limit(per_page)
        .offset((number - 1) * per_page)
    ).all()
    return list(entries), total
