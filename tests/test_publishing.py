"""Preview, publish, the frozen snapshot, credits, corrections, unpublishing."""
import pytest

from curation.errors import Conflict, Invalid
from curation.models import ChallengeState, Publication, QuoteCard
from curation.publishing import public as public_reads
from curation.publishing import services as publishing
from tests.conftest import publish_form


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


def test_publishing_freezes_the_page_and_makes_cards(make, session):
    editor, challenge, answer = _ready(make, session)
    publication = publishing.publish(session, challenge, editor)
    assert publication.version == 1 and publication.slug == "what-do-therapists-really-think-about-rest"
    assert challenge.state == ChallengeState.PUBLISHED
    assert answer.body in publication.html
    assert session.query(QuoteCard).filter_by(publication_id=publication.id).count() == 1


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
    assert session.query(Publication).count() == 1


def test_unpublishing_hides_the_page_and_keeps_the_record(make, session, client):
    editor, challenge, _ = _ready(make, session)
    publishing.publish(session, challenge, editor)
    publishing.unpublish(session, challenge, editor)
    session.commit()
    assert client.get(f"/features/{challenge.slug}").status_code == 404
    assert challenge.slug not in client.get("/").get_data(as_text=True)
    assert session.query(Publication).count() == 1


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
