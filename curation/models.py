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


class Party(enum.StrEnum):
    """The two sides of an answer: the therapist who wrote it and the editors."""

    AUTHOR = "author"
    EDITOR = "editor"


class QuoteChangeKind(enum.StrEnum):
    EXCERPT = "excerpt"  # the editor proposes a new excerpt of the published answer
    WHOLE_ANSWER = "whole_answer"  # the editor proposes the whole answer instead of the excerpt
    WORDING = "wording"  # the author proposes corrected words for their answer


class QuoteChangeState(enum.StrEnum):
    PENDING = "pending"  # waiting for the other side
    APPROVED = "approved"  # the editor approved the author's wording with an excerpt: the author accepts it next
    ACCEPTED = "accepted"  # agreed by both sides and applied to the answer
    DECLINED = "declined"
    SUPERSEDED = "superseded"  # a newer proposal replaced it before it was decided


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        # the active therapists, counted and listed by name, read from the index alone
        Index("ix_users_role_deactivated_name", "role", "is_deactivated", "name"),
    )

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
    # Wrong passwords in a row, counted in the database so every worker and host
    # sees the same count; a lock holds until locked_until.
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[Optional[dt.datetime]]
    # Two-step sign-in: the secret is kept from setup on, in force once confirmed.
    totp_secret: Mapped[Optional[str]] = mapped_column(String(64))
    totp_enabled_at: Mapped[Optional[dt.datetime]]
    # The time step of the last code accepted: a code seen once is refused after.
    totp_last_step: Mapped[Optional[int]]
    erased_at: Mapped[Optional[dt.datetime]]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    @property
    def has_two_step(self) -> bool:
        return self.totp_enabled_at is not None

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


class LoginSession(Base):
    """One signed-in browser. The signed cookie carries its id; only a hash of it
    is kept, and an ended session stays ended whatever copy of the cookie exists."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    id_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[Optional[dt.datetime]]


class TokenPurpose(enum.StrEnum):
    # the name of a purpose, not a password
    PASSWORD_RESET = "password_reset"  # nosec B105
    EMAIL_CHANGE = "email_change"


class AccountToken(Base):
    """A single-use link sent by mail (password reset, new e-mail address); only
    its hash is kept."""

    __tablename__ = "account_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    purpose: Mapped[TokenPurpose] = mapped_column(_enum(TokenPurpose, "token_purpose"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    new_email: Mapped[Optional[str]] = mapped_column(String(254))
    # who asked: the address the request came from, for the mail
    requested_from: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[Optional[dt.datetime]]

    user: Mapped["User"] = relationship()

    def is_usable(self, now: dt.datetime) -> bool:
        return self.used_at is None and now < self.expires_at


class RecoveryCode(Base):
    """One-time codes for two-step sign-in without the phone; kept hashed."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[Optional[dt.datetime]]


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

    invited_by: Mapped[Optional["User"]] = relationship(foreign_keys=[invited_by_id])

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
    # The editor chose to add the crisis-resources line (site setting) under the feature.
    adds_crisis_resources: Mapped[bool] = mapped_column(default=False)
    closes_at: Mapped[Optional[dt.datetime]]
    word_limit: Mapped[Optional[int]]
    state: Mapped[ChallengeState] = mapped_column(
        _enum(ChallengeState, "challenge_state"), default=ChallengeState.DRAFT
    )
    slug: Mapped[Optional[str]] = mapped_column(String(120), unique=True)
    # Bumped on every saved order; a save naming an older version is refused.
    order_version: Mapped[int] = mapped_column(default=1)
    # A scheduled edition: `publish-due` publishes it at this moment, as this editor.
    publish_at: Mapped[Optional[dt.datetime]] = mapped_column(index=True)
    scheduled_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    # Why the last scheduled publish did not happen (a consent still pending, say).
    schedule_problem: Mapped[str] = mapped_column(Text, default="")
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
        # with its author, so counts by state can leave some authors out without reading the answers
        Index("ix_answers_challenge_state_author", "challenge_id", "state", "author_id"),
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
    history: Mapped[list["AnswerHistory"]] = relationship(
        order_by="(AnswerHistory.at, AnswerHistory.id)", viewonly=True
    )

    @property
    def quote_text(self) -> str:
        """The words that would be published: the excerpt where set."""
        return self.excerpt or self.body


class AnswerHistory(Base):
    """One move in an answer's life, with the note that came with it: an
    editor's decision keeps its own note, so an old note never speaks for a new one."""

    __tablename__ = "answer_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id"), index=True)
    from_state: Mapped[AnswerState] = mapped_column(_enum(AnswerState, "from_state"))
    to_state: Mapped[AnswerState] = mapped_column(_enum(AnswerState, "to_state"))
    party: Mapped[Party] = mapped_column(_enum(Party, "party"))
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    actor: Mapped[Optional[User]] = relationship()


class QuoteChange(Base):
    """Proposed new words for a published quote, and the author's consent to them.

    The answer's words change only once both sides agreed; the consent to the
    words in force before stays on record beside this one.
    """

    __tablename__ = "quote_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id"), index=True)
    proposed_by: Mapped[Party] = mapped_column(_enum(Party, "proposed_by"))
    proposer_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[QuoteChangeKind] = mapped_column(_enum(QuoteChangeKind, "kind"))
    # excerpt: the new excerpt; whole_answer: the body as it stands; wording: the author's new body
    text: Mapped[str] = mapped_column(Text)
    # the editor's excerpt of the author's new wording, when approved with one
    excerpt: Mapped[Optional[str]] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")
    response_note: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[QuoteChangeState] = mapped_column(
        _enum(QuoteChangeState, "state"), default=QuoteChangeState.PENDING
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[Optional[dt.datetime]]
    # when the agreed words were put on the answer, to be published in the next correction
    applied_at: Mapped[Optional[dt.datetime]]
    # the author's consent to the new words
    consent_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    consented_at: Mapped[Optional[dt.datetime]]
    consented_words: Mapped[Optional[str]] = mapped_column(Text)
    consent_statement: Mapped[Optional[str]] = mapped_column(Text)

    answer: Mapped[Answer] = relationship()
    proposer: Mapped[Optional[User]] = relationship(foreign_keys=[proposer_id])

    @property
    def words(self) -> str:
        """The words that would be published if this change is agreed."""
        return self.excerpt or self.text


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
    # The page compressed once at publish time, served to readers who accept it.
    html_gzip: Mapped[Optional[bytes]] = mapped_column(LargeBinary)
    html_brotli: Mapped[Optional[bytes]] = mapped_column(LargeBinary)
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


class ConsentRecord(Base):
    """What a person agreed to: the exact statement they saw, the exact words it
    covered, and when. Written by every submit and every excerpt decision."""

    __tablename__ = "consent_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    statement: Mapped[str] = mapped_column(Text)
    words: Mapped[str] = mapped_column(Text, default="")
    credit: Mapped[str] = mapped_column(String(24), default="")
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


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
    __table_args__ = (
        # what happened to one object (has this challenge been ordered?) without reading all that ever happened
        Index("ix_audit_entries_subject", "subject_type", "subject_id", "action"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(60))
    subject_type: Mapped[str] = mapped_column(String(30))
    subject_id: Mapped[Optional[int]]
    detail: Mapped[str] = mapped_column(Text, default="")

    actor: Mapped[Optional[User]] = relationship()


class PrivacyAcknowledgement(Base):
    """An editor saw a passage the privacy check flagged in a quote and decided
    to publish it as it stands. Holds for those words only (the flag's key)."""

    __tablename__ = "privacy_acknowledgements"
    __table_args__ = (UniqueConstraint("answer_id", "flag_key", name="one_acknowledgement_per_flag"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id"), index=True)
    flag_key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(24))
    passage: Mapped[str] = mapped_column(Text)
    acknowledged_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    acknowledged_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    acknowledged_by: Mapped[Optional[User]] = relationship()


class SuggestionState(enum.StrEnum):
    NEW = "new"
    USED = "used"
    DISMISSED = "dismissed"


class Suggestion(Base):
    """A reader's idea for a next question. The e-mail, when given, serves only to
    tell the reader their question became an edition, and is erased once it has."""

    __tablename__ = "suggestions"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String(200))
    details: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    state: Mapped[SuggestionState] = mapped_column(
        _enum(SuggestionState, "suggestion_state"), default=SuggestionState.NEW
    )
    challenge_id: Mapped[Optional[int]] = mapped_column(ForeignKey("challenges.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    decided_at: Mapped[Optional[dt.datetime]]
    reader_told_at: Mapped[Optional[dt.datetime]]

    challenge: Mapped[Optional[Challenge]] = relationship()


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


class JobKind(enum.StrEnum):
    """Work done after a publish, correction or unpublish committed."""

    CARDS = "cards"  # draw the quote cards of one publication
    STATIC_FILES = "static_files"  # bring the web server's files in line with what is public
    WORDPRESS = "wordpress"  # bring the WordPress post in line with what is public


class PublicationJob(Base):
    """Written in the transaction of the publish, done after its commit
    (the sender thread, or `run-jobs` from cron), claimed before it is done."""

    __tablename__ = "publication_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[JobKind] = mapped_column(_enum(JobKind, "job_kind"))
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id"), index=True)
    publication_id: Mapped[Optional[int]] = mapped_column(ForeignKey("publications.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    done_at: Mapped[Optional[dt.datetime]]
    last_error: Mapped[str] = mapped_column(Text, default="")
    # How far it got (cards drawn so far, of how many), for the publish page.
    progress: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)


class WordPressPost(Base):
    """The post a challenge's feature became on the practice's WordPress site."""

    __tablename__ = "wordpress_posts"

    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id"), primary_key=True)
    post_id: Mapped[int]
    link: Mapped[str] = mapped_column(String(500), default="")
    # The publication the post shows now; None once it was made a draft again.
    publication_id: Mapped[Optional[int]] = mapped_column(ForeignKey("publications.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
