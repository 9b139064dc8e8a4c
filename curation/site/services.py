"""Site-wide settings that editors set (booking call-to-action, framing, reminders)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from curation import audit
from curation.models import SiteSetting, User

DEFAULTS: dict[str, str] = {
    "practice_name": "Our practice",
    "booking_text": "Ready to talk to someone? Book a free 15-minute consultation with one of our therapists.",
    "booking_label": "Book a consultation",
    "booking_url": "https://example.org/book",
    "anonymous_credit": "A registered psychotherapist",
    # who may frame the public feature pages (CSP frame-ancestors); 'none' = nobody
    "frame_ancestors": "",
    "reminder_days": "3",
}

# Settings that ship as stand-ins: a feature published with them would name no
# practice and send its readers to an example link.
PLACEHOLDERS: dict[str, str] = {"practice_name": "name", "booking_url": "booking link"}


def placeholders_left(settings: dict[str, str]) -> list[str]:
    """What the practice must still set before anything goes live, in plain words."""
    return [label for key, label in PLACEHOLDERS.items() if settings[key].strip() == DEFAULTS[key]]


def load(session: Session) -> dict[str, str]:
    stored = {row.key: row.value for row in session.scalars(select(SiteSetting))}
    return {key: stored.get(key, default) for key, default in DEFAULTS.items()}


def save(session: Session, values: dict[str, str], editor: User) -> None:
    stored = {row.key: row for row in session.scalars(select(SiteSetting))}
    changed = []
    for key in DEFAULTS:
        if key not in values:
            continue
        value = values[key]
        row = stored.get(key)
        if row is None:
            session.add(SiteSetting(key=key, value=value))
            changed.append(key)
        elif row.value != value:
            row.value = value
            changed.append(key)
    session.flush()
    if changed:
        audit.record(session, editor, "settings.changed", None, ", ".join(changed))
