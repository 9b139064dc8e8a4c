"""A sample edition, all text original to this project, for trying the tool."""
from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy.orm import Session

from curation.accounts import services as accounts
from curation.answers import services as answers
from curation.challenges import services as challenges
from curation.models import Credit, Role
from curation.practice import services as practice_settings
from curation.review import services as review

SETTINGS = {
    "practice_name": "Harbourlight Counselling",
    "booking_text": "Curious what working with one of us is like? **Book a free 15-minute call**, no forms to fill first.",
    "closing_title": "Get to Know Our Therapists",
    "closing_text": "Every therapist in this series works with us. Read more about them, or about how we started.",
    "closing_links": (
        "Book a free call | https://example.org/book\n"
        "Find a therapist | https://example.org/team\n"
        "Our story | https://example.org/about"
    ),
    "cards_between_quotes": "True",
}

THERAPISTS = [
    ("maya.okafor@example.org", "Maya Okafor", "RP", Credit.FULL,
     ("Rest is not a reward for finishing everything. It is part of the work itself.\n\n"
     "When clients tell me they will rest once life calms down, I ask them what calm would look like "
     "on an ordinary Tuesday. Usually it is ten quiet minutes with a cup of tea, and that is available today.")),
    ("liam.brennan@example.org", "Liam Brennan", "MSW, RSW", Credit.FIRST,
     ("I think of rest as letting the nervous system put down a heavy bag. Sleep helps, but so does a walk "
     "without headphones, or sitting with a friend without needing to fix anything. We harness rest by "
     "planning it the way we plan meetings, and by noticing guilt without obeying it.")),
    ("noor.haddad@example.org", "Noor Haddad", "RP (Qualifying)", Credit.ANONYMOUS,
     ("Many of us learned that our worth is measured in output. Rest quietly disagrees. "
     "In sessions I invite people to try one small experiment: stop a task before it is perfect and see "
     "what happens. Most of the time, nothing bad does, and something in the body softens.")),
]


def load(session: Session, now: dt.datetime) -> list[tuple[str, str, str]]:
    logins = []
    editor_password = "demo-" + secrets.token_urlsafe(9)
    editor = accounts.create_user(
        session, email="editor@example.org", name="Elena Park", role=Role.EDITOR,
        credentials="Clinical Director", password=editor_password,
    )
    logins.append((editor.email, editor_password, "editor"))
    practice_settings.save(session, SETTINGS, editor)
    challenge = challenges.create(
        session,
        editor,
        {
            "title": "What Do Therapists Really Think About Rest?",
            "topic": "Rest",
            "question": "In your own words, what is rest, why does it matter, and how can we make room for it?",
            "intro": (
                "Rest is easy to praise and hard to practise.\n\n"
                "We asked our therapists what it means to them, *away from the textbook*: "
                "what they tell clients, and what they try to do themselves."
            ),
            "challenge_text": (
                "Almost every first session touches on tiredness. People arrive with full calendars and a "
                "quiet belief that resting is something to earn. We chose **rest** because it sits under so "
                "many other struggles, from sleep to burnout to grief."
            ),
            "challengers": "Psychotherapists",
            "challengers_text": (
                "Three members of our team answered: a registered psychotherapist who works with adults, "
                "a social worker who sees couples and families, and a therapist in their qualifying years.\n\n"
                "- each wrote alone, without seeing the others\n"
                "- each chose how their name appears"
            ),
            "results_title": "The Results: What Rest Looks Like From the Therapist's Chair",
            "outro": (
                "Join us next time, when our therapists take on a new question in their own words.\n\n"
                "Have a question you would like them to answer? *Tell us* and it may become the next challenge."
            ),
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
