"""Fast seeding for the benchmarks: one edition with as many answers as asked,
written with bulk inserts (a password hash per therapist would take minutes).
All text is made up here, from a small vocabulary."""
from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from flask import Flask
from sqlalchemy import insert, select

from curation import create_app, db, schema
from curation.accounts import services as accounts
from curation.challenges import services as challenges
from curation.models import Answer, AnswerState, Challenge, ChallengeState, Credit, Role, SiteSetting, User
from curation.security import hash_password

EDITOR_EMAIL = "editor@bench.example"
EDITOR_PASSWORD = "bench editor passphrase"
WORDS = (
    "rest listening courage room care slow breath kindness trust patience presence attention body "
    "feeling noticing gentle practice ordinary honest steady shared quiet hope grief repair safety "
    "we you they it is was becomes stays holds makes lets the a of in with without before after"
).split()
# the review queue shows every state an editor sees; drafts stay with their authors
QUEUE_MIX = (
    [AnswerState.SUBMITTED] * 7 + [AnswerState.APPROVED, AnswerState.CHANGES_REQUESTED, AnswerState.REJECTED]
)


def make_app(database: Path, **config) -> Flask:
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{database}",
            "SECRET_KEY": "bench-only-key",
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,  # the bench logs in with a plain POST
            **config,
        }
    )
    with app.app_context():
        schema.upgrade()
    return app


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def answer_body(rng: random.Random) -> str:
    paragraphs = [
        " ".join(_sentence(rng, rng.randint(6, 18)) for _ in range(rng.randint(2, 5)))
        for _ in range(rng.randint(1, 3))
    ]
    return "\n\n".join(paragraphs)


def seed_edition(app: Flask, *, answers: int, all_approved: bool, seed: int = 6) -> int:
    """An editor, `answers` therapists each with one answer, one challenge.

    With `all_approved` every answer is an approved quote in order and the
    challenge is closed, ready to publish; otherwise answers are spread over
    the states the review queue shows. Returns the challenge id.
    """
    rng = random.Random(seed)
    now = dt.datetime.now(dt.timezone.utc)
    with app.app_context():
        session = db.new_session(writes=True)
        # the practice's own name and link: publishing refuses the shipped examples
        session.merge(SiteSetting(key="practice_name", value="Bench Counselling"))
        session.merge(SiteSetting(key="booking_url", value="https://bench.example/book"))
        editor = accounts.create_user(
            session, email=EDITOR_EMAIL, name="Bench Editor", role=Role.EDITOR, credentials="", password=EDITOR_PASSWORD
        )
        challenge = challenges.create(
            session,
            editor,
            {
                "title": f"What Do Therapists Really Think About Rest? ({answers} answers)",
                "topic": "Rest",
                "question": "In your own words, what is rest, why does it matter, and how can we make room for it?",
                "intro": "Rest is easy to praise and hard to practise. We asked our therapists.",
                "challengers": "Psychotherapists",
                "outro": "Join us next time, when our therapists take on a new question.",
                "closes_at": None,
                "word_limit": None,
            },
        )
        challenges.open_challenge(session, challenge, editor)
        password_hash = hash_password("bench therapist passphrase")
        session.execute(
            insert(User),
            [
                {
                    "email": f"therapist{n}@bench.example",
                    "name": f"Therapist{n} Benchmark",
                    "credentials": "RP",
                    "role": Role.THERAPIST,
                    "password_hash": password_hash,
                }
                for n in range(answers)
            ],
        )
        author_ids = session.scalars(
            select(User.id).where(User.role == Role.THERAPIST).order_by(User.id)
        ).all()
        credits = list(Credit)
        rows = []
        for n, author_id in enumerate(author_ids):
            state = AnswerState.APPROVED if all_approved else QUEUE_MIX[n % len(QUEUE_MIX)]
            rows.append(
                {
                    "challenge_id": challenge.id,
                    "author_id": author_id,
                    "body": answer_body(rng),
                    "credit": credits[n % len(credits)],
                    "has_consent": True,
                    "state": state,
                    "position": n + 1 if state == AnswerState.APPROVED else None,
                    "submitted_at": now - dt.timedelta(minutes=answers - n),
                    "reviewed_at": None if state == AnswerState.SUBMITTED else now,
                }
            )
        session.execute(insert(Answer), rows)
        if all_approved:
            session.get(Challenge, challenge.id).state = ChallengeState.CLOSED
        session.commit()
        challenge_id = challenge.id
        session.close()
    return challenge_id
