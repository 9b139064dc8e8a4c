"""Readers' suggestions for the next question: kept, listed for editors,
marked used or dismissed, and turned into a challenge."""
from __future__ import annotations

import dataclasses
import math

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from curation import audit
from curation.db import utcnow
from curation.errors import Conflict, NotFound
from curation.models import Challenge, Suggestion, SuggestionState, User

PER_PAGE = 50

# Which state may follow which; "new" again undoes a mistaken mark.
TRANSITIONS: dict[SuggestionState, set[SuggestionState]] = {
    SuggestionState.NEW: {SuggestionState.USED, SuggestionState.DISMISSED},
    SuggestionState.USED: {SuggestionState.NEW, SuggestionState.DISMISSED},
    SuggestionState.DISMISSED: {SuggestionState.NEW, SuggestionState.USED},
}


def submit(session: Session, *, topic: str, details: str, email: str) -> Suggestion:
    suggestion = Suggestion(topic=topic.strip(), details=(details or "").strip(), email=(email or "").strip().lower())
    session.add(suggestion)
    session.flush()
    return suggestion


def get(session: Session, suggestion_id: int) -> Suggestion:
    suggestion = session.get(Suggestion, suggestion_id)
    if suggestion is None:
        raise NotFound("There is no such suggestion.")
    return suggestion


@dataclasses.dataclass(frozen=True)
class Page:
    suggestions: list[Suggestion]
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / PER_PAGE))


def newest_first(session: Session, page: int = 1) -> Page:
    page = max(1, page)
    total = session.scalar(select(func.count(Suggestion.id))) or 0
    rows = session.scalars(
        select(Suggestion).order_by(Suggestion.created_at.desc(), Suggestion.id.desc())
        .limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    )
    return Page(list(rows), total, page)


def move(session: Session, suggestion: Suggestion, to: SuggestionState | str, editor: User) -> None:
    """The one place a suggestion changes state."""
    to = SuggestionState(to)
    if to not in TRANSITIONS[suggestion.state]:
        raise Conflict(f"This suggestion is already {suggestion.state}.")
    before = suggestion.state
    suggestion.state = to
    suggestion.decided_at = utcnow() if to != SuggestionState.NEW else None
    if to == SuggestionState.DISMISSED:
        # the address served only to tell the reader of an edition that will not come
        suggestion.email = ""
    if to == SuggestionState.NEW:
        suggestion.challenge_id = None
    session.flush()
    audit.record(session, editor, f"suggestion.{to}", suggestion, f"{before} → {to}")


def prefill(suggestion: Suggestion) -> dict[str, str]:
    """What a challenge started from this suggestion begins with. The reader's
    details stay beside the form, not in it: they are not meant for publishing."""
    return {"topic": suggestion.topic[:200], "question": suggestion.topic}


def start_challenge_from(session: Session, suggestion: Suggestion, challenge: Challenge, editor: User) -> None:
    """The new challenge came from this suggestion: it is used, and its reader
    hears when the challenge is published."""
    if suggestion.state != SuggestionState.USED:
        move(session, suggestion, SuggestionState.USED, editor)
    suggestion.challenge_id = challenge.id
    session.flush()
