"""A sample edition, all text original to this project, for trying the tool."""
from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy.orm import Session

from curation.accounts import services as accounts
from curation.answers import services as answers
from curation.challenges import services as challenges
from curation.models import Credit, Role
from curation.review import services as review

THERAPISTS = [
    ("maya.okafor@example.org", "Maya Okafor", "RP", Credit.FULL,
     "Rest is not a reward for finishing everything. It is part of the work itself.\n\n"
     "When clients tell me they will rest once life calms down, I ask them what calm would look like "
     "on an ordinary Tuesday. Usually it is ten quiet minutes with a cup of tea, and that is available today."),
    ("liam.brennan@example.org", "Liam Brennan", "MSW, RSW", Credit.FIRST,
     "I think of rest as letting the nervous system put down a heavy bag. Sleep helps, but so does a walk "
     "without headphones, or sitting with a friend without needing to fix anything. We harness rest by "
     "planning it the way we plan meetings, and by noticing guilt without obeying it."),
    ("noor.haddad@example.org", "Noor Haddad", "RP (Qualifying)", Credit.ANONYMOUS,
     "Many of us learned that our worth is measured in output. Rest quietly disagrees. "
     "In sessions I invite people to try one small experiment: stop a task before it is perfect and see "
     "what happens. Most of the time, nothing bad does, and something in the body softens."),
]


def load(session: Session, now: dt.datetime) -> list[tuple[str, str, str]]:
    logins = []
    editor_password = "demo-" + secrets.token_urlsafe(9)
    editor = accounts.create_user(
        session, email="editor@example.org", name="Elena Park", role=Role.EDITOR,
        credentials="Clinical Director", password=editor_password,
    )
    logins.append((editor.email, editor_password, "editor"))
    challenge = challenges.create(
        session,
        editor,
        {
            "title": "What Do Therapists Really Think About Rest?",
            "topic": "Rest",
            "question": "In your own words, what is rest, why does it matter, and how can we make room for it?",
            "intro": "Rest is easy to praise and hard to practise. We asked our therapists what it means to them.",
            "challengers": "Psychotherapists",
            "outro": "Join us next time, when our therapists take on a new question in their own words.",
            "closes_at": now + dt.timedelta(days=10),
            "word_limit": 250,
        },
    )
    challenges.open_challenge(session, challenge, editor)
    for email, name, credentials, credit, body in THERAPISTS:
        password = "demo-" + secrets.token_urlsafe(9)
        therapist = accounts.create_user(
            session, email=email, name=name, role=Role.THERAPIST, credentials=credentials, password=password
        )
        logins.append((email, password, "therapist"))
        answer, _ = answers.save(
            session, challenge, therapist, body=body, credit=credit, consent=True, submit=True, now=now
        )
        if credit != Credit.ANONYMOUS:
            review.review(session, answer, editor, decision=review.Decision.APPROVE, note="Lovely, thank you.")
    return logins
