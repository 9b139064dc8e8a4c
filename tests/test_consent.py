"""Consent to the exact published words: excerpts the author accepts or declines,
no publication without consent, the consent record, and withdrawal afterwards."""
import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from curation.challenges import services as challenges
from curation.models import Answer, AnswerState, AuditEntry, ExcerptConsent, OutboxMail, Publication
from tests.conftest import Auth, csrf, fresh, publish_form

BODY = "Empathy is listening without hurrying. It is hard on busy days. It heals anyway."
EXCERPT = "Empathy is listening without hurrying. … It heals anyway."


def _post(client, path, data=None):
    data = dict(data or {})
    data["csrf_token"] = csrf(client, "/account")
    return client.post(path, data=data)


@pytest.fixture
def login(app):
    """A client of its own, logged in as the given user."""

    def logged_in(user):
        client = app.test_client()
        Auth(client).login(user)
        return client

    return logged_in


@pytest.fixture
def edition(make):
    """A closed challenge with one whole answer and one excerpted answer waiting for consent."""
    editor = make.editor(name="Elena Park", credentials="")
    challenge = make.challenge(editor, state="open")
    whole = make.approved(challenge, editor, make.therapist(name="Maya Okafor"), body="Rest is a kindness.")
    excerpted = make.approved(challenge, editor, make.therapist(name="Liam Brennan", credentials="MSW"),
                              body=BODY, excerpt=EXCERPT, credit="first")
    challenges.close_challenge(make.session, challenge, editor)
    make.session.commit()
    return editor, challenge, whole, excerpted


def test_the_author_sees_the_excerpt_beside_the_full_answer_with_the_cuts_marked(edition, login):
    _, challenge, _, excerpted = edition
    author = login(excerpted.author)
    for page in (f"/challenges/{challenge.id}/answer", "/my/answers"):
        html = author.get(page).get_data(as_text=True)
        # the marks read as the excerpt does: its full stops kept, the cut sentence's struck with it
        assert "<del> It is hard on busy days.</del>" in html
        assert "<mark>Empathy is listening without hurrying.</mark>" in html
        assert 'name="decision"' in html


def test_publishing_is_refused_with_the_names_of_who_has_not_agreed(edition, login, session):
    editor, challenge, _, _ = edition
    client = login(editor)
    page = client.get(f"/editor/challenges/{challenge.id}/publish").get_data(as_text=True)
    assert "Waiting for consent" in page and "Liam Brennan" in page and "Maya Okafor" not in page

    response = _post(client, f"/editor/challenges/{challenge.id}/publish", publish_form())
    assert response.status_code == 302 and response.headers["Location"].endswith("/publish")
    flashed = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Liam Brennan" in flashed and "exact words" in flashed
    assert fresh(session).scalar(select(func.count()).select_from(Publication)) == 0
    assert session.scalar(select(func.count()).select_from(OutboxMail).filter_by(kind="feature_published")) == 0


def test_after_the_author_accepts_the_feature_publishes_their_exact_words(edition, login, session):
    editor, challenge, _, excerpted = edition
    author = login(excerpted.author)
    response = _post(author, f"/challenges/{challenge.id}/answer/excerpt", {"decision": "accept", "note": ""})
    assert response.status_code == 302

    client = login(editor)
    response = _post(client, f"/editor/challenges/{challenge.id}/publish", publish_form())
    assert response.headers["Location"].endswith(f"/features/{fresh(session).get(type(challenge), challenge.id).slug}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "It heals anyway." in page
    assert "hard on busy days" not in page


def test_the_consent_record_says_who_when_which_words_and_which_credit(edition, login, session):
    editor, challenge, whole, excerpted = edition
    author = login(excerpted.author)
    before_accepting = dt.datetime.now(dt.timezone.utc)
    _post(author, f"/challenges/{challenge.id}/answer/excerpt", {"decision": "accept"})
    client = login(editor)
    _post(client, f"/editor/challenges/{challenge.id}/publish", publish_form())

    publication = fresh(session).scalars(select(Publication)).one()
    records = {q["consent"]["author_id"]: q["consent"] for q in json.loads(publication.data)["quotes"]}
    excerpt_record = records[excerpted.author_id]
    assert excerpt_record["text"] == EXCERPT
    assert excerpt_record["credit_line"] == "Liam, MSW"
    assert excerpt_record["author_name"] == "Liam Brennan"
    assert excerpt_record["excerpt_accepted"] is True
    # the excerpt was agreed to when accepted, after the answer was submitted
    assert dt.datetime.fromisoformat(excerpt_record["consented_at"]) >= before_accepting
    whole_record = records[whole.author_id]
    assert whole_record["text"] == "Rest is a kindness."
    assert dt.datetime.fromisoformat(whole_record["consented_at"]) == session.get(Answer, whole.id).submitted_at

    audit_page = client.get("/editor/audit").get_data(as_text=True)
    assert "publication.published" in audit_page
    assert "Liam Brennan agreed on" in audit_page and "credited as Liam, MSW" in audit_page
    assert "“Empathy is listening without hurrying. … It heals anyway.”" in audit_page


def test_a_declined_excerpt_goes_back_to_the_editor_with_the_authors_note(edition, login, session):
    editor, challenge, _, excerpted = edition
    author = login(excerpted.author)
    response = _post(author, f"/challenges/{challenge.id}/answer/excerpt",
                     {"decision": "decline", "note": "Please keep the part about busy days.", "from_page": "mine"})
    assert response.headers["Location"].endswith("/my/answers")

    client = login(editor)
    queue = client.get(f"/editor/challenges/{challenge.id}").get_data(as_text=True)
    assert "Excerpt (declined)" in queue and "Please keep the part about busy days." in queue
    publish_page = client.get(f"/editor/challenges/{challenge.id}/publish").get_data(as_text=True)
    assert "declined the excerpt" in publish_page and "Please keep the part about busy days." in publish_page
    review_page = client.get(f"/editor/answers/{excerpted.id}/review").get_data(as_text=True)
    assert "<strong>declined</strong>" in review_page and "Please keep the part about busy days." in review_page
    mail = fresh(session).scalars(select(OutboxMail).filter_by(kind="excerpt_decided")).one()
    assert mail.recipient == editor.email and "Please keep the part about busy days." in mail.text_body


def test_the_editor_cannot_push_the_same_declined_excerpt_again(edition, login, session):
    editor, challenge, _, excerpted = edition
    _post(login(excerpted.author), f"/challenges/{challenge.id}/answer/excerpt", {"decision": "decline", "note": "No"})
    client = login(editor)
    _post(client, f"/editor/answers/{excerpted.id}/review", {"decision": "approve", "excerpt": EXCERPT})
    assert fresh(session).get(Answer, excerpted.id).excerpt_consent == ExcerptConsent.DECLINED
    _post(client, f"/editor/challenges/{challenge.id}/publish", publish_form())
    assert fresh(session).scalar(select(func.count()).select_from(Publication)) == 0


def test_another_excerpt_after_a_decline_asks_the_author_again(edition, login, session):
    editor, challenge, _, excerpted = edition
    _post(login(excerpted.author), f"/challenges/{challenge.id}/answer/excerpt", {"decision": "decline", "note": "No"})
    client = login(editor)
    other = "Empathy is listening without hurrying. It is hard on busy days."
    _post(client, f"/editor/answers/{excerpted.id}/review", {"decision": "approve", "excerpt": other})
    answer = fresh(session).get(Answer, excerpted.id)
    assert (answer.excerpt, answer.excerpt_consent, answer.excerpt_author_note) == (other, ExcerptConsent.PENDING, "")
    assert session.scalar(select(func.count()).select_from(OutboxMail).filter_by(kind="excerpt_awaiting_consent", recipient=answer.author.email)) == 1
    _post(client, f"/editor/challenges/{challenge.id}/publish", publish_form())
    assert fresh(session).scalar(select(func.count()).select_from(Publication)) == 0


def test_choosing_the_whole_answer_after_a_decline_needs_no_further_consent(edition, login, session):
    editor, challenge, _, excerpted = edition
    _post(login(excerpted.author), f"/challenges/{challenge.id}/answer/excerpt", {"decision": "decline", "note": "Whole, please"})
    client = login(editor)
    _post(client, f"/editor/answers/{excerpted.id}/review", {"decision": "approve", "excerpt": ""})
    answer = fresh(session).get(Answer, excerpted.id)
    assert (answer.excerpt, answer.excerpt_consent, answer.excerpt_author_note) == (None, ExcerptConsent.NONE, "")
    _post(client, f"/editor/challenges/{challenge.id}/publish", publish_form())
    publication = fresh(session).scalars(select(Publication)).one()
    assert BODY in [q["text"] for q in json.loads(publication.data)["quotes"]]


def test_nobody_else_can_decide_an_authors_excerpt(edition, login, make, session):
    _, challenge, whole, excerpted = edition
    # the other quoted author has no excerpt: nothing to decide, and they cannot reach Liam's
    response = _post(login(whole.author), f"/challenges/{challenge.id}/answer/excerpt", {"decision": "accept"})
    assert response.status_code == 404
    stranger = make.therapist()
    response = _post(login(stranger), f"/challenges/{challenge.id}/answer/excerpt", {"decision": "accept"})
    assert response.status_code == 404
    assert fresh(session).get(Answer, excerpted.id).excerpt_consent == ExcerptConsent.PENDING


def test_a_decision_must_be_accept_or_decline(edition, login, session):
    _, challenge, _, excerpted = edition
    response = _post(login(excerpted.author), f"/challenges/{challenge.id}/answer/excerpt", {"decision": "maybe"})
    assert response.status_code == 400
    assert fresh(session).get(Answer, excerpted.id).excerpt_consent == ExcerptConsent.PENDING


def _published(edition, login, session):
    editor, challenge, whole, excerpted = edition
    _post(login(excerpted.author), f"/challenges/{challenge.id}/answer/excerpt", {"decision": "accept"})
    editor_client = login(editor)
    assert _post(editor_client, f"/editor/challenges/{challenge.id}/publish", publish_form()).status_code == 302
    fresh(session)
    return editor_client


def test_a_published_excerpt_cannot_be_declined_after_the_fact(edition, login, session):
    _, challenge, _, excerpted = edition
    _published(edition, login, session)
    author = login(excerpted.author)
    assert "Send my decision" not in author.get("/my/answers").get_data(as_text=True)
    response = _post(author, f"/challenges/{challenge.id}/answer/excerpt", {"decision": "decline"})
    assert response.status_code == 403
    assert fresh(session).get(Answer, excerpted.id).excerpt_consent == ExcerptConsent.ACCEPTED


def test_withdrawing_consent_tells_the_editors_and_a_one_click_correction_drops_the_quote(edition, login, make, session):
    editor, challenge, whole, excerpted = edition
    second_editor = make.editor()
    second_editor.wants_notifications = False  # told anyway: this is not routine news
    session.commit()
    editor_client = _published(edition, login, session)
    slug = fresh(session).get(type(challenge), challenge.id).slug

    author = login(whole.author)
    mine = author.get("/my/answers").get_data(as_text=True)
    assert "Withdraw my consent to publication" in mine
    response = _post(author, f"/my/answers/{whole.id}/withdraw-consent")
    assert response.status_code == 302

    told = {m.recipient for m in fresh(session).scalars(select(OutboxMail).filter_by(kind="consent_withdrawn"))}
    assert told == {editor.email, second_editor.email}
    dashboard = editor_client.get("/editor/").get_data(as_text=True)
    assert "A correction is owed" in dashboard and challenge.title in dashboard
    publish_page = editor_client.get(f"/editor/challenges/{challenge.id}/publish").get_data(as_text=True)
    assert "Publish a correction" in publish_page

    response = _post(editor_client, f"/editor/challenges/{challenge.id}/publish", publish_form(version_seen="1"))
    assert response.headers["Location"].endswith(f"/features/{slug}")
    page = editor_client.get(f"/features/{slug}").get_data(as_text=True)
    assert "Rest is a kindness." not in page and "It heals anyway." in page

    versions = {p.version: p for p in fresh(session).scalars(select(Publication))}
    assert versions[1].superseded_at is not None and versions[2].is_public
    assert "Rest is a kindness." in versions[1].html  # the old version stays on record
    assert "superseded" in editor_client.get(f"/editor/challenges/{challenge.id}/publish").get_data(as_text=True)
    assert "A correction is owed" not in editor_client.get("/editor/").get_data(as_text=True)
    assert session.get(Answer, whole.id).state == AnswerState.WITHDRAWN
    assert session.scalar(select(func.count()).select_from(AuditEntry).filter_by(action="answer.consent_withdrawn", subject_id=whole.id)) == 1


def test_only_the_author_can_withdraw_consent_to_their_quote(edition, login, make, session):
    _, _, whole, _ = edition
    _published(edition, login, session)
    response = _post(login(make.therapist()), f"/my/answers/{whole.id}/withdraw-consent")
    assert response.status_code == 404
    editor_response = _post(login(make.editor()), f"/my/answers/{whole.id}/withdraw-consent")
    assert editor_response.status_code == 403
    answer = fresh(session).get(Answer, whole.id)
    assert answer.consent_withdrawn_at is None and answer.published_at is not None
