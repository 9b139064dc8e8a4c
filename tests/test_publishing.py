"""Preview, publish, the frozen snapshot, credits, corrections, unpublishing."""
import pytest
from sqlalchemy import func, select

from curation.errors import Conflict, Invalid
from curation.mail import services as mail
from curation.models import (
    ChallengeState,
    ExcerptConsent,
    OutboxMail,
    Publication,
    QuoteCard,
)
from curation.publishing import cards
from curation.publishing import public as public_reads
from curation.publishing import services as publishing
from curation.publishing.compiling import feature_data
from tests.conftest import PRACTICE, fresh, publish_form, run_jobs


@pytest.fixture(autouse=True)
def in_request(app, monkeypatch):
    """Rendering a snapshot needs a request context (absolute links); push one
    only around each service call, so test-client requests keep their own."""

    def wrap(function):
        def wrapped(*args, **kwargs):
            with app.test_request_context():
                return function(*args, **kwargs)

        return wrapped

    for name in ("publish", "unpublish", "preview"):
        monkeypatch.setattr(publishing, name, wrap(getattr(publishing, name)))


def _ready(make, session, **answer_kw):
    editor = make.editor()
    challenge = make.challenge(editor)
    answer = make.approved(challenge, editor, **answer_kw)
    challenge.state = ChallengeState.CLOSED
    session.commit()
    return editor, challenge, answer


def test_publishing_needs_a_closed_challenge_and_quotes(make, session):
    editor = make.editor()
    challenge = make.challenge(editor)
    with pytest.raises(Conflict, match="Close"):
        publishing.publish(session, challenge, editor)
    challenge.state = ChallengeState.CLOSED
    with pytest.raises(Invalid, match="no approved"):
        publishing.publish(session, challenge, editor)


def test_publishing_freezes_the_page_and_makes_cards(app, make, session):
    editor, challenge, answer = _ready(make, session)
    publication = publishing.publish(session, challenge, editor)
    session.commit()
    assert publication.version == 1 and publication.slug == "what-do-therapists-really-think-about-rest"
    assert challenge.state == ChallengeState.PUBLISHED
    assert answer.body in publication.html
    run_jobs(app)
    # the quote's card and the link preview
    assert fresh(session).scalar(select(func.count()).select_from(QuoteCard).filter_by(publication_id=publication.id)) == 2


def test_later_edits_never_change_a_published_page(make, session, client):
    editor, challenge, answer = _ready(make, session)
    publishing.publish(session, challenge, editor)
    session.commit()
    before = client.get("/features/what-do-therapists-really-think-about-rest").get_data()
    answer.body = "Something else entirely"
    answer.author.name = "Renamed Person"
    challenge.title = "A new title"
    session.commit()
    assert client.get("/features/what-do-therapists-really-think-about-rest").get_data() == before


@pytest.mark.parametrize(
    "credit, expected",
    [("full", "Maya Okafor, RP"), ("first", "Maya, RP"), ("anonymous", "A registered psychotherapist")],
)
def test_each_quote_is_credited_as_its_author_chose(make, session, credit, expected):
    author = make.therapist(name="Maya Okafor", credentials="RP", email="maya.okafor@example.org")
    editor, challenge, _ = _ready(make, session, author=author, credit=credit)
    html = publishing.publish(session, challenge, editor).html
    assert f"— {expected}" in html
    if credit == "anonymous":
        for leak in ("Maya", "Okafor", "maya.okafor", "M.O.", "M. O."):
            assert leak not in html


def test_a_correction_is_a_new_version_and_the_old_one_stays_on_record(make, session):
    editor, challenge, _ = _ready(make, session)
    first = publishing.publish(session, challenge, editor)
    second = publishing.publish(session, challenge, editor, version_seen=1)
    assert (first.version, second.version) == (1, 2)
    assert first.superseded_at is not None and second.is_public
    assert public_reads.public_publication(session, challenge.slug).id == second.id


def test_publishing_twice_from_the_same_page_makes_one_version(make, session):
    editor, challenge, _ = _ready(make, session)
    publishing.publish(session, challenge, editor, version_seen=0)
    with pytest.raises(Conflict, match="while you were looking"):
        publishing.publish(session, challenge, editor, version_seen=0)
    assert session.scalar(select(func.count()).select_from(Publication)) == 1


def test_unpublishing_hides_the_page_and_keeps_the_record(make, session, client):
    editor, challenge, _ = _ready(make, session)
    publishing.publish(session, challenge, editor)
    publishing.unpublish(session, challenge, editor)
    session.commit()
    assert client.get(f"/features/{challenge.slug}").status_code == 404
    assert challenge.slug not in client.get("/").get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Publication)) == 1


def test_the_feature_page_answers_304_to_a_matching_etag(make, session, client):
    editor, challenge, _ = _ready(make, session)
    publishing.publish(session, challenge, editor)
    session.commit()
    first = client.get(f"/features/{challenge.slug}")
    again = client.get(f"/features/{challenge.slug}", headers={"If-None-Match": first.headers["ETag"]})
    assert first.status_code == 200 and again.status_code == 304


def test_an_unknown_feature_is_404(client):
    assert client.get("/features/nothing-here").status_code == 404


def test_the_booking_call_to_action_comes_from_the_settings(make, session, auth, post):
    editor, challenge, _ = _ready(make, session)
    auth.login(editor)
    response = post("/editor/settings", {
        "practice_name": "Harbour Therapy", "booking_text": "Talk to us.", "booking_label": "Book now",
        "booking_url": "https://harbour.example/book", "anonymous_credit": "A registered psychotherapist",
        "frame_ancestors": "", "reminder_days": "3"})
    assert response.status_code == 302
    html = publishing.publish(session, challenge, editor).html
    assert 'href="https://harbour.example/book"' in html and "Book now" in html and "Talk to us." in html


def test_a_booking_link_must_be_a_web_address(make, auth, post):
    auth.login(make.editor())
    response = post("/editor/settings", {
        "practice_name": "P", "booking_text": "T", "booking_label": "L", "booking_url": "javascript:alert(1)",
        "anonymous_credit": "A", "frame_ancestors": "", "reminder_days": "3"})
    assert response.status_code == 400 and "https://" in response.get_data(as_text=True)


def test_the_publish_button_redirects_to_the_feature(make, session, auth, post):
    editor, challenge, _ = _ready(make, session)
    auth.login(editor)
    response = post(f"/editor/challenges/{challenge.id}/publish", publish_form())
    assert response.headers["Location"].endswith("/features/what-do-therapists-really-think-about-rest")


LONG_ANSWER = " ".join(["Rest felt like failing my clients, until I learned it was part of caring for them."] * 20)


def _card_words(session, publication, number):
    return next(q for q in feature_data(publication)["quotes"] if q["number"] == number)


def test_a_quote_too_long_for_a_card_gets_no_card_and_the_publish_page_says_why(app, make, session, client, auth):
    editor, challenge, _ = _ready(make, session, body=LONG_ANSWER)
    auth.login(editor)

    page = client.get(f"/editor/challenges/{challenge.id}/publish").get_data(as_text=True)
    assert "1 quote will have no card" in page
    assert "too long for a card" in page

    publication = publishing.publish(session, challenge, editor)
    session.commit()
    run_jobs(app)
    numbers = [c.number for c in fresh(session).scalars(select(QuoteCard).filter_by(publication_id=publication.id))]
    assert numbers == [0]  # the link preview only
    assert client.get(f"/features/{publication.slug}/quotes/1.png").status_code == 404
    assert _card_words(session, publication, 1)["card_problem"]


def test_an_accepted_card_excerpt_is_what_the_card_shows(app, make, session, monkeypatch):
    editor, challenge, answer = _ready(make, session, body=LONG_ANSWER)
    answer.card_excerpt = "Rest felt like failing my clients, until I learned it was part of caring for them."
    answer.card_excerpt_consent = ExcerptConsent.ACCEPTED
    session.commit()
    drawn = []
    real = cards.render_quote_card

    def recording(*args, **kwargs):
        drawn.append(real(*args, **kwargs))
        return drawn[-1]

    monkeypatch.setattr(cards, "render_quote_card", recording)
    publication = publishing.publish(session, challenge, editor)
    session.commit()
    run_jobs(app)

    quote = _card_words(session, publication, 1)
    assert quote["text"] == LONG_ANSWER  # the page keeps the whole answer
    assert quote["card_text"] == answer.card_excerpt and quote["card_problem"] is None
    assert [card.text_of("quote") for card in drawn] == [answer.card_excerpt]
    assert drawn[0].text_of("series") == f"Therapists Being Human · {PRACTICE['practice_name']}"


def test_a_card_excerpt_not_yet_accepted_holds_the_publication_and_draws_nothing(make, session):
    editor, challenge, answer = _ready(make, session)
    answer.card_excerpt = "Rest is a kindness."
    answer.card_excerpt_consent = ExcerptConsent.PENDING
    session.commit()

    with pytest.raises(Conflict, match="agree to the exact words"):
        publishing.publish(session, challenge, editor)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(QuoteCard)) == 0


def test_the_published_mail_links_a_card_only_when_there_is_one(app, make, session):
    editor = make.editor()
    challenge = make.challenge(editor)
    make.approved(challenge, editor, body=LONG_ANSWER)
    make.approved(challenge, editor, body="Rest is a kindness.")
    challenge.state = ChallengeState.CLOSED
    session.commit()
    publication = publishing.publish(session, challenge, editor)
    with app.test_request_context():
        mail.queue_feature_published(session, publication)
    session.commit()

    bodies = sorted(m.text_body for m in session.scalars(select(OutboxMail).filter_by(kind="feature_published")))
    assert len(bodies) == 2
    with_card = [b for b in bodies if "/quotes/" in b]
    without = [b for b in bodies if "too long for a square card" in b]
    assert len(with_card) == 1 and len(without) == 1 and "/quotes/" not in without[0]
