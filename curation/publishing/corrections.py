"""Corrections: what a fresh compile would change on the published page, word by
word, and the flag that tells the dashboard a challenge changed after publication.

A published page never changes by itself: edits to a challenge, its quotes or the
names that credit them reach readers only through a correction (a new version). Several domains write those things, so the flag is
set in one place, when they are flushed, rather than by each of them.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from difflib import SequenceMatcher
from typing import Any

from markupsafe import Markup
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from curation.models import Answer, Challenge, ChallengeState, Publication, User
from curation.publishing.compiling import FeatureData, QuoteData, feature_data

# Keys that change with every publication without the reader's text changing, and
# the site-wide settings: those apply to features published from then on (the
# settings page says so), so changing them owes no feature a correction.
_EVERY_TIME = frozenset({
    "slug", "version", "published_at", "first_published_at",
    "practice_name", "series_name", "booking", "closing", "cards_between_quotes",
})
_QUOTE_EVERY_TIME = frozenset({"number", "consent"})

# How the parts of a feature are called on the editor's screens; a part the
# compiler gains later is still compared, under a name made from its key.
LABELS = {
    "title": "Title",
    "intro_html": "Introduction",
    "topic": "The Challenge",
    "challengers": "The Challengers",
    "challenge_text_html": "“The Challenge” section",
    "challengers_text_html": "“The Challengers” section",
    "results_title": "Heading over the quotes",
    "results": "The Results",
    "question": "The question",
    "outro_html": "Closing",
}

# Unchanged words kept around a change, so a diff stays short.
CONTEXT_WORDS = 5


def content_hash(data: FeatureData) -> str:
    """A hash of what readers see: the same text, credits and order hash the same."""
    visible: dict[str, Any] = {k: v for k, v in data.items() if k not in _EVERY_TIME}
    visible["quotes"] = [{k: v for k, v in q.items() if k not in _QUOTE_EVERY_TIME} for q in data["quotes"]]
    return hashlib.sha256(json.dumps(visible, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


@dataclasses.dataclass(frozen=True)
class Part:
    """One run of words in a diff: `same`, `removed` or `added`."""

    kind: str
    text: str


@dataclasses.dataclass(frozen=True)
class FieldChange:
    label: str
    words: list[Part]


@dataclasses.dataclass(frozen=True)
class QuoteChange:
    """How one quote differs between the published page and a fresh compile."""

    answer_id: int
    author_id: int
    author_name: str  # for the editor's screens only
    is_anonymous: bool  # how the quote is credited on the public page (as it was, once taken out)
    kind: str  # changed, added, removed, moved
    number_before: int | None
    number_after: int | None
    words: list[Part]  # empty when the words stay the same
    text_before: str
    text_after: str
    credit_before: str
    credit_after: str

    @property
    def words_changed(self) -> bool:
        return self.text_before != self.text_after

    @property
    def credit_changed(self) -> bool:
        return self.credit_before != self.credit_after

    @property
    def touches_author(self) -> bool:
        """Whether the author's own words or credit change (a new place in the order does not)."""
        return self.kind in ("added", "removed") or self.words_changed or self.credit_changed


@dataclasses.dataclass(frozen=True)
class Differences:
    fields: list[FieldChange]
    quotes: list[QuoteChange]

    def __bool__(self) -> bool:
        return bool(self.fields or self.quotes)


def _as_text(key: str, value: str) -> str:
    # the *_html parts were sanitized when saved; their words are what readers read
    # striptags gives plain text back
    return Markup(value).striptags() if key.endswith("_html") else value  # nosec B704


def word_diff(before: str, after: str) -> list[Part]:
    """The change from `before` to `after` word by word, long unchanged runs cut short."""
    old, new = before.split(), after.split()
    parts: list[Part] = []
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    opcodes = matcher.get_opcodes()
    for index, (op, i1, i2, j1, j2) in enumerate(opcodes):
        if op == "equal":
            parts.append(Part("same", _shortened(old[i1:i2], first=index == 0, last=index == len(opcodes) - 1)))
            continue
        if i2 > i1:
            parts.append(Part("removed", " ".join(old[i1:i2])))
        if j2 > j1:
            parts.append(Part("added", " ".join(new[j1:j2])))
    return parts


def _shortened(words: list[str], *, first: bool, last: bool) -> str:
    keep = CONTEXT_WORDS
    if len(words) <= keep * 2 + 1 or (first and last):
        return " ".join(words)
    if first:
        return "… " + " ".join(words[-keep:])
    if last:
        return " ".join(words[:keep]) + " …"
    return " ".join(words[:keep]) + " … " + " ".join(words[-keep:])


def _flat(data: FeatureData) -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in data.items():
        # the editor's Markdown reads as its rendered `_html` twin, compared already
        if key in _EVERY_TIME or key == "quotes" or key.endswith("_md"):
            continue
        if isinstance(value, dict):
            flat.update({f"{key}.{inner}": v for inner, v in value.items() if isinstance(v, str)})
        elif isinstance(value, str):
            flat[key] = value
    return flat


def _label(key: str) -> str:
    return LABELS.get(key) or key.removesuffix("_html").replace("_", " ").replace(".", ": ").capitalize()


def _changed_keys(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return [key for key in list(before) + [k for k in after if k not in before] if before.get(key, "") != after.get(key, "")]


def differences(published: FeatureData, fresh: FeatureData) -> Differences:
    """What publishing `fresh` would change on the page frozen from `published`."""
    before, after = _flat(published), _flat(fresh)
    fields = [
        FieldChange(_label(key), word_diff(_as_text(key, before.get(key, "")), _as_text(key, after.get(key, ""))))
        for key in _changed_keys(before, after)
    ]
    return Differences(fields, quote_changes(published["quotes"], fresh["quotes"]))


def quote_changes(published: list[QuoteData], fresh: list[QuoteData]) -> list[QuoteChange]:
    old = {q["answer_id"]: q for q in published}
    new = {q["answer_id"]: q for q in fresh}
    changes = []
    for answer_id in list(old) + [a for a in new if a not in old]:
        was, now = old.get(answer_id), new.get(answer_id)
        quote = now or was
        assert quote is not None
        text_before, text_after = (was["text"] if was else ""), (now["text"] if now else "")
        credit_before = was["credit_line"] if was else ""
        credit_after = now["credit_line"] if now else ""
        if was is None:
            kind = "added"
        elif now is None:
            kind = "removed"
        elif text_before != text_after or credit_before != credit_after:
            kind = "changed"
        elif was["number"] != now["number"]:
            kind = "moved"
        else:
            continue
        changes.append(
            QuoteChange(
                answer_id=answer_id,
                author_id=quote["consent"]["author_id"],
                author_name=quote["consent"]["author_name"],
                is_anonymous=quote["is_anonymous"],
                kind=kind,
                number_before=was["number"] if was else None,
                number_after=now["number"] if now else None,
                words=word_diff(text_before, text_after) if was and now and text_before != text_after else [],
                text_before=text_before,
                text_after=text_after,
                credit_before=credit_before,
                credit_after=credit_after,
            )
        )
    return changes


@dataclasses.dataclass(frozen=True)
class VersionChanges:
    """What one version on record changed against the version before it, for
    the versions table on the editor's publish page."""

    version: int
    kind: str  # first, correction, republished (the version before was taken down), or unknown (no longer on record)
    quotes: list[QuoteChange]  # reworded, credited anew, added or taken out; a new place alone is in `reordered`
    parts: list[str]  # the other parts that changed, as the editor's screens call them
    reordered: bool

    def __bool__(self) -> bool:
        return bool(self.quotes or self.parts or self.reordered)


def version_changes(versions: list[Publication]) -> dict[int, VersionChanges]:
    """Each version's changes against the version numbered just before it, by
    version; from the stored data of versions already loaded, so it costs no
    statement and renders nothing."""
    by_number = {v.version: v for v in versions}
    data = {number: feature_data(v) for number, v in by_number.items()}
    changes = {}
    for number, now in data.items():
        before = by_number.get(number - 1)
        if number == 1 or before is None:
            # versions naming an erased person are deleted, so one may be missing
            changes[number] = VersionChanges(number, "first" if number == 1 else "unknown", [], [], False)
            continue
        was = data[number - 1]
        keys = _changed_keys(_flat(was), _flat(now))
        if len(was["quotes"]) != len(now["quotes"]):
            # the results line counts the quotes: a quote added or taken out says it already
            keys = [k for k in keys if k != "results"]
        changes[number] = VersionChanges(
            number,
            "republished" if before.unpublished_at is not None else "correction",
            [c for c in quote_changes(was["quotes"], now["quotes"]) if c.touches_author],
            [_label(key) for key in keys],
            reordered=_order_of_kept(was["quotes"], now["quotes"]) != _order_of_kept(now["quotes"], was["quotes"]),
        )
    return changes


def _order_of_kept(quotes: list[QuoteData], other: list[QuoteData]) -> list[int]:
    """The order of the quotes both versions hold: others added or taken out move
    the rest up or down a place without putting them in a new order."""
    kept = {q["answer_id"] for q in other}
    return [q["answer_id"] for q in quotes if q["answer_id"] in kept]


# Columns whose change leaves the published page as it is.
_CHALLENGE_QUIET = frozenset({"state", "slug", "updated_at", "needs_correction", "closes_at", "word_limit"})
_ANSWER_QUIET = frozenset({"updated_at", "editor_note", "reviewed_at", "published_at", "excerpt_author_note",
                           "card_excerpt_author_note"})
_USER_CREDITS = ("name", "credentials")


def _changed(obj: object, quiet: frozenset[str] = frozenset(), only: tuple[str, ...] = ()) -> bool:
    state = inspect(obj)
    names = only or [attr.key for attr in state.mapper.column_attrs if attr.key not in quiet]
    return any(state.attrs[name].history.has_changes() for name in names)


def _published_by(session: Session, author_id: int) -> list[Challenge]:
    return list(
        session.scalars(
            select(Challenge).where(
                Challenge.state == ChallengeState.PUBLISHED,
                Challenge.id.in_(
                    select(Answer.challenge_id).where(Answer.author_id == author_id, Answer.published_at.is_not(None))
                ),
            )
        )
    )


@event.listens_for(Session, "before_flush")
def _note_changes_after_publication(session: Session, _context, _instances) -> None:
    flagged: list[Challenge] = []
    for obj in list(session.dirty) + list(session.new) + list(session.deleted):
        if isinstance(obj, Challenge) and obj.state == ChallengeState.PUBLISHED and _changed(obj, _CHALLENGE_QUIET):
            flagged.append(obj)
        elif isinstance(obj, Answer) and obj.challenge_id is not None and (
            obj in session.new or obj in session.deleted or _changed(obj, _ANSWER_QUIET)
        ):
            challenge = session.get(Challenge, obj.challenge_id)
            if challenge is not None and challenge.state == ChallengeState.PUBLISHED:
                flagged.append(challenge)
        elif isinstance(obj, User) and obj not in session.new and _changed(obj, only=_USER_CREDITS):
            flagged.extend(_published_by(session, obj.id))
    for challenge in flagged:
        if not challenge.needs_correction:
            challenge.needs_correction = True
