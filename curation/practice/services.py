"""The practice's settings, set by its editors: its name, the booking call-to-action, framing, reminders."""
from __future__ import annotations

from typing import TypedDict

from sqlalchemy import select
from sqlalchemy.orm import Session

from curation import audit, editor_markdown
from curation.models import SiteSetting, User

DEFAULT_BOOKING_TEXT = "Ready to talk to someone? Book a free 15-minute consultation with one of our therapists."

DEFAULTS: dict[str, str] = {
    "practice_name": "Our practice",
    # the series' name: public page titles, cards and link previews carry it
    "series_name": "Therapists Being Human",
    "booking_text": DEFAULT_BOOKING_TEXT,  # Markdown
    # rendered from booking_text when saved; written out here, as every process
    # that starts the app reads this (tests/test_editor_markdown.py checks it)
    "booking_text_html": f"<p>{DEFAULT_BOOKING_TEXT}</p>",
    "booking_label": "Book a consultation",
    "booking_url": "https://example.org/book",
    "anonymous_credit": "A registered psychotherapist",
    # who may frame the public feature pages (CSP frame-ancestors); 'none' = nobody
    "frame_ancestors": "",
    "reminder_days": "3",
    # offered under a feature whose quotes the privacy check finds crisis language in
    "crisis_resources": (
        "If you are thinking about suicide or worried about someone, call or text 9-8-8 at any time "
        "(Suicide Crisis Helpline). In an emergency, call 911."
    ),
    # the closing block after the booking call-to-action; no links, no block
    "closing_title": "Get to Know Our Therapists",
    "closing_text": "",  # Markdown
    "closing_text_html": "",
    "closing_links": "",  # one "Label | https://…" a line
    "cards_between_quotes": "",  # "True": each quote's card shown after it on the page
}

# Markdown settings and the key their rendered HTML is kept under.
MARKDOWN_KEYS = {"booking_text": "booking_text_html", "closing_text": "closing_text_html"}


class Link(TypedDict):
    label: str
    url: str


def parse_links(text: str) -> list[Link]:
    """ "Label | URL" lines as links; blank lines are skipped. The form checks each URL."""
    links: list[Link] = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        label, _, url = line.rpartition("|")
        links.append({"label": " ".join(label.split()), "url": url.strip()})
    return links


def stored_value(value: object) -> str:
    # A setting is text; a checkbox is "True" or empty, so that loading it back reads as unticked.
    if isinstance(value, bool):
        return "True" if value else ""
    return str(value)
# Settings that ship as stand-ins: a feature published with them would name no
# practice and send its readers to an example link.
PLACEHOLDERS: dict[str, str] = {"practice_name": "name", "booking_url": "booking link"}


def placeholders_left(settings: dict[str, str]) -> list[str]:
    """What the practice must still set before anything goes live, in plain words."""
    return [label for key, label in PLACEHOLDERS.items() if settings[key].strip() == DEFAULTS[key]]


def load(session: Session) -> dict[str, str]:
    stored = {row.key: row.value for row in session.scalars(select(SiteSetting))}
    settings = {key: stored.get(key, default) for key, default in DEFAULTS.items()}
    settings["series_name"] = settings["series_name"] or DEFAULTS["series_name"]  # it names every public page
    return settings


def save(session: Session, values: dict[str, str], editor: User) -> None:
    stored = {row.key: row for row in session.scalars(select(SiteSetting))}
    values = dict(values)
    for key, html_key in MARKDOWN_KEYS.items():
        if key in values:
            values[html_key] = editor_markdown.to_html(values[key], legacy_html=False)
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
