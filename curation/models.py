"""The domain's tables. States are StrEnums stored as checked strings."""
from __future__ import annotations

import datetime as dt
import enum
from typing import Optional

from sqlalchemy import (
    ColumnElement,
    Enum,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    and_,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from curation.db import Base, utcnow


def _enum(enum_cls: type[enum.Enum], name: str) -> Enum:
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=24,
        values_callable=lambda members: [m.value for m in members],
    )


class Role(enum.StrEnum):
    EDITOR = "editor"
    THERAPIST = "therapist"


class ChallengeState(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    PUBLISHED = "published"


class AnswerState(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    CHANGES_REQUESTED = "changes_requested"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Credit(enum.StrEnum):
    FULL = "full"
    FIRST = "first"
    ANONYMOUS = "anonymous"


class ExcerptConsent(enum.StrEnum):
    """The author's answer to the editor's excerpt of their approved answer."""

    NONE = "none"  # no excerpt: the whole answer is the quote
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    credentials: Mapped[str] = mapped_column(String(120), default="")
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_deactivated: Mapped[bool] = mapped_column(default=False)
    # Part of the login cookie: bumping it signs the user out everywhere.
    session_version: Mapped[int] = mapped_column(default=1)
    wants_notifications: Mapped[bool] = mapped_column(default=True)
    # The person's page on the practice's own website, for credits and their public page.
    profile_url: Mapped[str] = mapped_column(String(500), default="")
    # Opt-in public page at /therapists/<public_slug>.
    has_public_page: Mapped[bool] = mapped_column(default=False)
    public_slug: Mapped[Optional[str]] = mapped_column(String(120), unique=True)
    bio: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    @property
    def is_editor(self) -> bool:
        return self.role == Role.EDITOR

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.strip() else ""

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return not self.is_deactivated

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"


class Invitation(Base):
    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[Role] = mapped_column(_enum(Role, "invitation_role"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    accepted_at: Mapped[Optional[dt.datetime]]
    revoked_at: Mapped[Optional[dt.datetime]]
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))

    def is_usable(self, now: dt.datetime) -> bool:
        return self.accepted_at is None and self.revoked_at is None and now < self.expires_at


class Challenge(Base):
    __tablename__ = "challenges"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    topic: Mapped[str] = mapped_column(String(200))
    question: Mapped[str] = mapped_column(Text)
    intro: Mapped[str] = mapped_column(Text, default="")
    # intro and outro allow a little markup, cleaned once when saved
    intro_html: Mapped[str] = mapped_column(Text, default="")
    challengers: Mapped[str] = mapped_column(String(200), default="Psychotherapists")
    outro: Mapped[str] = mapped_column(Text, default="")
    outro_html: Mapped[str] = mapped_column(Text, default="")
    # The series' sections: bodies under "The Challenge" and "The Challengers",
    # and the heading over the quotes. Markdown, rendered once when saved.
    challenge_text: Mapped[str] = mapped_column(Text, default="")
    challenge_text_html: Mapped[str] = mapped_column(Text, default="")
    challengers_text: Mapped[str] = mapped_column(Text, default="")
    challengers_text_html: Mapped[str] = mapped_column(Text, default="")
    results_title: Mapped[str] = mapped_column(String(200), default="")
    closes_at: Mapped[Optional[dt.datetime]]
    word_limit: Mapped[Optional[int]]
    state: Mapped[ChallengeState] = mapped_column(
        _enum(ChallengeState, "challenge_state"), default=ChallengeState.DRAFT
    )
    slug: Mapped[Optional[str]] = mapped_column(String(120), unique=True)
    # Bumped on every saved order; a save naming an older version is refused.
    order_version: Mapped[int] = mapped_column(default=1)
    # Set when the challenge, its quotes or what credits them change after publication;
    # a hint for the dashboard, confirmed against a fresh compile before it is shown.
    needs_correction: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    answers: Mapped[list["Answer"]] = relationship(back_populates="challenge")
    publications: Mapped[list["Publication"]] = relationship(
        back_populates="challenge", order_by="Publication.version"
    )

    def accepts_answers(self, now: dt.datetime) -> bool:
        return self.state == ChallengeState.OPEN and (
            self.closes_at is None or now < self.closes_at
        )


class Answer(Base):
    __tablename__ = "answers"
    __table_args__ = (
        UniqueConstraint("challenge_id", "author_id", name="one_answer_per_author"),
        Index("ix_answers_challenge_state", "challenge_id", "state"),
        # the review queue's order: a page of 20 reads 20 index entries, not a sort of every answer
        Index("ix_answers_queue_order", "challenge_id", "submitted_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    body: Mapped[str] = mapped_column(Text, default="")
    credit: Mapped[Credit] = mapped_column(_enum(Credit, "credit"), default=Credit.FULL)
    has_consent: Mapped[bool] = mapped_column(default=False)
    state: Mapped[AnswerState] = mapped_column(
        _enum(AnswerState, "answer_state"), default=AnswerState.DRAFT
    )
    editor_note: Mapped[str] = mapped_column(Text, default="")
    excerpt: Mapped[Optional[str]] = mapped_column(Text)
    excerpt_consent: Mapped[ExcerptConsent] = mapped_column(
        _enum(ExcerptConsent, "excerpt_consent"), default=ExcerptConsent.NONE
    )
    excerpt_author_note: Mapped[str] = mapped_column(Text, default="")
    # The words of the square card when the quote is too long for one: the same
    # own-words rule and the same consent by the author as the excerpt.
    card_excerpt: Mapped[Optional[str]] = mapped_column(Text)
    card_excerpt_consent: Mapped[ExcerptConsent] = mapped_column(
        _enum(ExcerptConsent, "card_excerpt_consent"), default=ExcerptConsent.NONE
    )
    card_excerpt_author_note: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[Optional[int]]
    submitted_at: Mapped[Optional[dt.datetime]]
    reviewed_at: Mapped[Optional[dt.datetime]]
    # Set while the answer stands in the current publication of its challenge.
    published_at: Mapped[Optional[dt.datetime]]
    consent_withdrawn_at: Mapped[Optional[dt.datetime]]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    challenge: Mapped[Challenge] = relationship(back_populates="answers")
    author: Mapped[User] = relationship()

    @property
    def quote_text(self) -> str:
        """The words that would be published: the excerpt where set."""
        return self.excerpt or self.body


class Publication(Base):
    """An immutable snapshot of a compiled feature, one per published version."""

    __tablename__ = "publications"
    __table_args__ = (UniqueConstraint("challenge_id", "version", name="one_row_per_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id"))
    version: Mapped[int]
    slug: Mapped[str] = mapped_column(String(120), index=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    html: Mapped[str] = mapped_column(Text)
    fragment: Mapped[str] = mapped_column(Text)
    markdown: Mapped[str] = mapped_column(Text)
    etag: Mapped[str] = mapped_column(String(64))
    # The data the snapshot was made from, consent records included (JSON).
    data: Mapped[str] = mapped_column(Text)
    # Hash of the reader-facing part of `data` (publishing.corrections.content_hash).
    content_hash: Mapped[str | None] = mapped_column(String(64))
    published_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    published_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    first_published_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    superseded_at: Mapped[Optional[dt.datetime]]
    unpublished_at: Mapped[Optional[dt.datetime]]

    challenge: Mapped[Challenge] = relationship(back_populates="publications")

    @hybrid_property
    def is_public(self) -> bool:
        """The version visitors see: neither replaced by a correction nor taken down."""
        return self.superseded_at is None and self.unpublished_at is None

    @is_public.inplace.expression
    @classmethod
    def _is_public_expression(cls) -> ColumnElement[bool]:
        return and_(cls.superseded_at.is_(None), cls.unpublished_at.is_(None))


class QuoteCard(Base):
    __tablename__ = "quote_cards"
    __table_args__ = (UniqueConstraint("publication_id", "number", name="one_card_per_quote"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    publication_id: Mapped[int] = mapped_column(ForeignKey("publications.id"))
    number: Mapped[int]  # 1-based, published order
    answer_id: Mapped[Optional[int]] = mapped_column(ForeignKey("answers.id"))
    png: Mapped[bytes] = mapped_column(LargeBinary)
    etag: Mapped[str] = mapped_column(String(64))


class AuditEntry(Base):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(60))
    subject_type: Mapped[str] = mapped_column(String(30))
    subject_id: Mapped[Optional[int]]
    detail: Mapped[str] = mapped_column(Text, default="")

    actor: Mapped[Optional[User]] = relationship()


class SiteSetting(Base):
    __tablename__ = "site_settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")


class OutboxMail(Base):
    """A mail written in the transaction of its event, sent after commit."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(250))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text, default="")
    # Same key twice means the same mail: `send-reminders` run twice queues once.
    dedupe_key: Mapped[Optional[str]] = mapped_column(String(200), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    sent_at: Mapped[Optional[dt.datetime]]
    last_error: Mapped[str] = mapped_column(Text, default="")
