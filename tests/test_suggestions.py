"""Readers suggest the next question; editors use or dismiss the suggestions."""
import pytest
from sqlalchemy import func, select

from curation import create_app, db
from curation.challenges import services as challenges
from curation.models import AuditEntry, Challenge, OutboxMail, Suggestion
from curation.publishing import services as publishing
from curation.suggestions import services as suggestions
from tests.conftest import csrf, fresh

IDEA = {"topic": "How do you stay kind to yourself on a bad day?", "details": "I am a nurse and bad days are many.",
        "email": "reader@example.net"}


@pytest.fixture
def send(client):
    """POST to the suggestion form as a reader's browser would: no account, a token from the form."""
    return lambda data, **kw: client.post("/suggest", data={**data, "csrf_token": csrf(client, "/suggest")}, **kw)


def _stored(session):
    return fresh(session).scalars(select(Suggestion).order_by(Suggestion.id)).all()


def test_a_reader_suggests_a_question_without_logging_in(client, session, send):
    page = client.get("/suggest").get_data(as_text=True)
    for name in ("topic", "details", "email"):
        assert f'name="{name}"' in page
    response = send(IDEA)
    assert response.status_code == 302
    assert "Thank you! Your question is with our editors." in client.get("/suggest").get_data(as_text=True)
    [row] = _stored(session)
    assert (row.topic, row.details, row.email, row.state) == (IDEA["topic"], IDEA["details"], IDEA["email"], "new")


def test_the_email_is_optional(client, session, send):
    assert send({"topic": "What is grief for?"}).status_code == 302
    assert [(s.topic, s.email) for s in _stored(session)] == [("What is grief for?", "")]


def test_a_filled_honeypot_is_thanked_and_nothing_is_kept(client, session, send):
    response = send({**IDEA, "website": "https://spam.example"}, follow_redirects=True)
    assert "Thank you!" in response.get_data(as_text=True)
    assert _stored(session) == []


@pytest.mark.parametrize("data, message", [
    ({"topic": "", "details": "Only details"}, "Tell us the question"),
    ({"topic": "x" * 201, "details": "Kept words"}, "Keep the question to 200 characters"),
    ({"topic": "Fine", "details": "y" * 2001}, "keep this to 2,000 characters"),
    ({"topic": "Fine", "details": "Kept words", "email": "not an address"}, "does not look like an e-mail address"),
])
def test_a_refused_suggestion_says_why_and_keeps_what_was_typed(client, session, send, data, message):
    response = send(data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    assert (data["details"] if len(data["details"]) < 100 else data["topic"]) in page
    assert _stored(session) == []


def test_an_oversized_request_is_refused_before_anything_is_read(client, session, send):
    response = send({"topic": "Fine", "details": "z" * 20_000})
    assert response.status_code == 413
    assert _stored(session) == []


def test_suggestions_are_rate_limited_per_address(app, session):
    limited = create_app({**{k: app.config[k] for k in ("TESTING", "DATABASE_URL", "SECRET_KEY", "SERVER_NAME")},
                          "RATELIMIT_ENABLED": True, "SUGGEST_RATE_LIMIT": "2 per hour"})
    try:
        client = limited.test_client()
        token = csrf(client, "/suggest")
        statuses = [client.post("/suggest", data={**IDEA, "csrf_token": token}).status_code for _ in range(4)]
        assert statuses == [302, 302, 429, 429]
        other = client.post("/suggest", data={**IDEA, "csrf_token": token}, environ_base={"REMOTE_ADDR": "198.51.100.7"})
        assert other.status_code == 302
        assert len(_stored(session)) == 3
    finally:
        with limited.app_context():
            db.engine().dispose()


def test_editors_see_suggestions_newest_first_and_mark_them(app, session, make, auth, client, post):
    editor = make.editor()
    for topic in ("First idea", "Second idea"):
        suggestions.submit(session, topic=topic, details="", email="reader@example.net")
    session.commit()
    auth.login(editor)
    page = client.get("/editor/suggestions").get_data(as_text=True)
    assert page.index("Second idea") < page.index("First idea")
    first, second = _stored(session)
    assert post(f"/editor/suggestions/{first.id}/decide", data={"state": "dismissed"}).status_code == 302
    assert post(f"/editor/suggestions/{second.id}/decide", data={"state": "used"}).status_code == 302
    first, second = _stored(session)
    assert (first.state, first.email) == ("dismissed", "")  # its only use is gone
    assert (second.state, second.email) == ("used", "reader@example.net")
    actions = fresh(session).scalars(select(AuditEntry.action).where(AuditEntry.subject_type == "suggestion")).all()
    assert sorted(actions) == ["suggestion.dismissed", "suggestion.used"]


def test_marking_a_suggestion_as_it_already_is_changes_nothing(app, session, make, auth, post, client):
    editor = make.editor()
    suggestion = suggestions.submit(session, topic="Idea", details="", email="")
    session.commit()
    auth.login(editor)
    before = fresh(session).scalar(select(func.count(AuditEntry.id)))
    response = post(f"/editor/suggestions/{suggestion.id}/decide", data={"state": "new"}, follow_redirects=True)
    assert "already new" in response.get_data(as_text=True)
    response = post(f"/editor/suggestions/{suggestion.id}/decide", data={"state": "published"}, follow_redirects=True)
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert fresh(session).scalar(select(func.count(AuditEntry.id))) == before
    assert post("/editor/suggestions/999999/decide", data={"state": "used"}).status_code == 404


def test_a_therapist_cannot_see_or_mark_suggestions(app, session, make, auth, client, post):
    suggestion = suggestions.submit(session, topic="Private idea", details="", email="reader@example.net")
    session.commit()
    auth.login(make.therapist())
    assert client.get("/editor/suggestions").status_code == 403
    assert post(f"/editor/suggestions/{suggestion.id}/decide", data={"state": "dismissed"}).status_code == 403
    assert _stored(session)[0].state == "new"


def test_starting_a_challenge_from_a_suggestion_prefills_it_and_tells_the_reader_when_published(
        app, session, make, auth, client, post):
    editor = make.editor()
    make.practice()  # the challenge comes through the form: the practice's own name and link, set once
    suggestion = suggestions.submit(session, **IDEA)
    session.commit()
    auth.login(editor)
    page = client.get(f"/editor/challenges/new?suggestion={suggestion.id}").get_data(as_text=True)
    assert f'value="{IDEA["topic"]}"' in page and IDEA["details"] in page
    response = post(f"/editor/challenges/new?suggestion={suggestion.id}", data={
        "title": "What Do Therapists Really Think About Bad Days?", "topic": "Bad days", "question": IDEA["topic"],
        "challengers": "Psychotherapists"})
    assert response.status_code == 302
    challenge = fresh(session).scalar(select(Challenge).where(Challenge.topic == "Bad days"))
    row = _stored(session)[0]
    assert (row.state, row.challenge_id) == ("used", challenge.id)

    challenges.open_challenge(session, challenge, editor)
    make.approved(challenge, editor)
    challenges.close_challenge(session, fresh(session).get(Challenge, challenge.id), editor)
    session.commit()
    for version in (0, 1):  # a correction does not write to the reader again
        assert post(f"/editor/challenges/{challenge.id}/publish", data={"version_seen": version}).status_code == 302
    mails = fresh(session).scalars(select(OutboxMail).where(OutboxMail.kind == "suggestion_published")).all()
    assert [m.recipient for m in mails] == ["reader@example.net"]
    assert "/features/" in mails[0].text_body
    row = _stored(session)[0]
    assert row.email == "" and row.reader_told_at is not None


def test_an_unknown_suggestion_to_start_from_is_404(app, make, auth, client):
    auth.login(make.editor())
    assert client.get("/editor/challenges/new?suggestion=424242").status_code == 404


def test_the_archive_and_every_feature_page_link_to_the_form(app, session, make, client):
    editor = make.editor()
    challenge = make.challenge(editor)
    make.approved(challenge, editor)
    challenges.close_challenge(session, fresh(session).get(Challenge, challenge.id), editor)
    session.commit()
    with app.test_request_context():
        publication = publishing.publish(session, fresh(session).get(Challenge, challenge.id), editor)
    session.commit()
    assert 'href="/suggest"' in client.get("/").get_data(as_text=True)
    assert 'href="/suggest"' in client.get(f"/features/{publication.slug}").get_data(as_text=True)
