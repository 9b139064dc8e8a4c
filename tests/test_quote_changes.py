"""Correcting a published quote's words, only with its author's consent: the
editor proposes new words or the author corrects their own; the public page
keeps the words in force until both agreed and a correction is published."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from curation.answers import quote_changes
from curation.challenges import services as challenges
from curation.models import Answer, OutboxMail, QuoteChange, QuoteChangeState
from tests.conftest import Auth, fresh
from tests.test_consent import _post

BODY = "Empathy is listening without hurrying. It is hard on busy days. It heals anyway."
NEW_EXCERPT = "Empathy is listening without hurrying. … It heals anyway."


@pytest.fixture
def login(app):
    return lambda user: _logged_in(app.test_client(), user)


def _logged_in(client, user):
    Auth(client).login(user)
    return client


@pytest.fixture
def published(make, login, session):
    """A published feature quoting one whole answer; the editor's client."""
    editor = make.editor(name="Elena Park", credentials="")
    challenge = make.challenge(editor, title="What Do Therapists Really Think About Empathy?")
    answer = make.approved(challenge, editor, make.therapist(name="Liam Brennan", credentials="MSW"), body=BODY)
    challenges.close_challenge(session, challenge, editor)
    session.commit()
    editor_client = login(editor)
    assert _post(editor_client, f"/editor/challenges/{challenge.id}/publish").status_code == 302
    fresh(session)
    return editor, challenge, answer, editor_client


def _feature(client, session, challenge):
    slug = fresh(session).get(type(challenge), challenge.id).slug
    return client.get(f"/features/{slug}").get_data(as_text=True)


def _publish_correction(editor_client, challenge):
    return _post(editor_client, f"/editor/challenges/{challenge.id}/publish")


def test_an_editor_proposed_excerpt_waits_for_the_author_then_a_correction_publishes_it(published, login, session):
    _editor, challenge, answer, editor_client = published
    response = _post(editor_client, f"/editor/answers/{answer.id}/quote-change",
                     {"excerpt": NEW_EXCERPT, "note": "Shorter for the card."})
    assert response.status_code == 302
    mail = fresh(session).scalars(select(OutboxMail).filter_by(kind="quote_change_awaiting_consent")).one()
    assert mail.recipient == answer.author.email and "It heals anyway." in mail.text_body
    assert "Shorter for the card." in mail.text_body
    # nothing changes before the author agrees, not even after a correction
    assert session.get(Answer, answer.id).excerpt is None
    _publish_correction(editor_client, challenge)
    assert "It is hard on busy days." in _feature(editor_client, session, challenge)

    author = login(answer.author)
    mine = author.get("/my/answers").get_data(as_text=True)
    assert "<del> It is hard on busy days.</del>" in mine and quote_changes.CONSENT_STATEMENT in mine
    change = fresh(session).scalars(select(QuoteChange)).one()
    assert _post(author, f"/my/answers/{answer.id}/quote-change",
                 {"change_id": change.id, "decision": "accept"}).status_code == 302
    answer_now = fresh(session).get(Answer, answer.id)
    assert answer_now.excerpt == NEW_EXCERPT
    assert [c.id for c in quote_changes.unpublished_changes(session, answer_now)] == [change.id]
    # the page keeps the words in force until the correction is published
    assert "It is hard on busy days." in _feature(editor_client, session, challenge)
    assert "A correction is owed" in editor_client.get("/editor/").get_data(as_text=True)

    assert _publish_correction(editor_client, challenge).status_code == 302
    page = _feature(editor_client, session, challenge)
    assert "It heals anyway." in page and "It is hard on busy days." not in page
    assert quote_changes.unpublished_changes(session, fresh(session).get(Answer, answer.id)) == []
    assert "A correction is owed" not in editor_client.get("/editor/").get_data(as_text=True)


def version_changed(client, challenge, version: int) -> str:
    """The "What changed" cell of one version's row on the publish page, as its words read."""
    page = client.get(f"/editor/challenges/{challenge.id}/publish").get_data(as_text=True)
    row = re.search(rf'<tr id="version-{version}">(.*?)</tr>', page, re.S)
    assert row, f"the versions table has no row for v{version}"
    cell = re.findall(r"<td>(.*?)</td>", row.group(1), re.S)[-1]
    return " ".join(re.sub(r"<[^>]+>", " ", cell).split())


def test_the_versions_table_says_whose_quote_a_correction_reworded(published, login, session):
    _editor, challenge, answer, editor_client = published
    author = login(answer.author)
    _post(author, f"/my/answers/{answer.id}/correction", {"body": BODY.replace("hurrying", "rushing")})
    change = fresh(session).scalars(select(QuoteChange)).one()
    _post(editor_client, f"/editor/answers/{answer.id}/correction", {"change_id": change.id, "decision": "approve"})
    # approved but not yet published: the versions on record say nothing of it
    assert version_changed(editor_client, challenge, 1) == "First publication"
    assert _publish_correction(editor_client, challenge).status_code == 302

    assert version_changed(editor_client, challenge, 2) == "Quote by Liam Brennan reworded"
    assert version_changed(editor_client, challenge, 1) == "First publication"


def test_the_new_consent_is_kept_beside_the_old_one(published, login, session):
    _editor, challenge, answer, editor_client = published
    _post(editor_client, f"/editor/answers/{answer.id}/quote-change", {"excerpt": NEW_EXCERPT})
    change = fresh(session).scalars(select(QuoteChange)).one()
    _post(login(answer.author), f"/my/answers/{answer.id}/quote-change", {"change_id": change.id, "decision": "accept"})
    change = fresh(session).get(QuoteChange, change.id)
    assert (change.state, change.consent_by_id, change.consented_words, change.consent_statement) == (
        QuoteChangeState.ACCEPTED, answer.author_id, NEW_EXCERPT, quote_changes.CONSENT_STATEMENT)
    assert change.consented_at is not None
    first = fresh(session).get(type(challenge), challenge.id).publications[0]
    assert BODY in first.data  # the consent to the old words stays with the version it made


def test_declining_leaves_everything_as_it_was(published, login, session):
    _editor, _challenge, answer, editor_client = published
    _post(editor_client, f"/editor/answers/{answer.id}/quote-change", {"excerpt": NEW_EXCERPT})
    change = fresh(session).scalars(select(QuoteChange)).one()
    response = _post(login(answer.author), f"/my/answers/{answer.id}/quote-change",
                     {"change_id": change.id, "decision": "decline", "note": "I like it whole."})
    assert response.status_code == 302
    answer_now = fresh(session).get(Answer, answer.id)
    assert (answer_now.body, answer_now.excerpt) == (BODY, None)
    assert session.get(QuoteChange, change.id).state == QuoteChangeState.DECLINED
    assert "A correction is owed" not in editor_client.get("/editor/").get_data(as_text=True)


def test_an_answer_to_a_replaced_proposal_is_refused_with_409(published, login, session):
    _editor, _challenge, answer, editor_client = published
    _post(editor_client, f"/editor/answers/{answer.id}/quote-change", {"excerpt": NEW_EXCERPT})
    older = fresh(session).scalars(select(QuoteChange)).one()
    _post(editor_client, f"/editor/answers/{answer.id}/quote-change", {"excerpt": "It heals anyway."})
    response = _post(login(answer.author), f"/my/answers/{answer.id}/quote-change",
                     {"change_id": older.id, "decision": "accept"})
    assert response.status_code == 409
    assert "newer words were proposed" in response.get_data(as_text=True)
    assert fresh(session).get(Answer, answer.id).excerpt is None
    assert session.get(QuoteChange, older.id).state == QuoteChangeState.SUPERSEDED


def test_another_therapist_cannot_touch_someone_elses_quote(published, login, make, session):
    _editor, _challenge, answer, editor_client = published
    _post(editor_client, f"/editor/answers/{answer.id}/quote-change", {"excerpt": NEW_EXCERPT})
    change = fresh(session).scalars(select(QuoteChange)).one()
    other = login(make.therapist())
    assert _post(other, f"/my/answers/{answer.id}/quote-change",
                 {"change_id": change.id, "decision": "accept"}).status_code == 404
    assert _post(other, f"/my/answers/{answer.id}/correction", {"body": "Words put in their mouth."}).status_code == 404
    assert fresh(session).get(Answer, answer.id).excerpt is None
    assert session.scalar(select(func.count()).select_from(QuoteChange)) == 1


def test_no_correction_can_be_proposed_on_an_unpublished_answer(make, login, session):
    editor = make.editor()
    challenge = make.challenge(editor)
    answer = make.approved(challenge, editor, body=BODY)
    response = _post(login(editor), f"/editor/answers/{answer.id}/quote-change", {"excerpt": NEW_EXCERPT})
    assert response.status_code == 400
    assert "not published" in response.get_data(as_text=True)
    response = _post(login(answer.author), f"/my/answers/{answer.id}/correction", {"body": BODY + " Truly."})
    assert response.status_code == 400 and "not published" in response.get_data(as_text=True)
    assert fresh(session).scalar(select(func.count()).select_from(QuoteChange)) == 0


def test_an_authors_correction_goes_to_the_editors_as_a_word_diff_and_is_published_when_approved(
    published, login, session
):
    editor, challenge, answer, editor_client = published
    author = login(answer.author)
    corrected = BODY.replace("hurrying", "rushing")
    response = _post(author, f"/my/answers/{answer.id}/correction", {"body": corrected, "note": "A word I regret."})
    assert response.status_code == 302
    told = fresh(session).scalars(select(OutboxMail).filter_by(kind="correction_requested")).one()
    assert told.recipient == editor.email and "rushing" in told.text_body
    assert fresh(session).get(Answer, answer.id).body == BODY

    listing = editor_client.get("/editor/corrections").get_data(as_text=True)
    assert "<del>hurrying.</del><ins>rushing.</ins>" in listing and "A word I regret." in listing
    change = session.scalars(select(QuoteChange)).one()
    assert _post(editor_client, f"/editor/answers/{answer.id}/correction",
                 {"change_id": change.id, "decision": "approve"}).status_code == 302
    assert fresh(session).get(Answer, answer.id).body == corrected
    assert "hurrying" in _feature(editor_client, session, challenge)
    _publish_correction(editor_client, challenge)
    page = _feature(editor_client, session, challenge)
    assert "rushing" in page and "hurrying" not in page


def test_an_approved_correction_with_an_excerpt_waits_for_the_author_to_accept_it(published, login, session):
    _editor, _challenge, answer, editor_client = published
    author = login(answer.author)
    corrected = BODY.replace("hurrying", "rushing")
    _post(author, f"/my/answers/{answer.id}/correction", {"body": corrected})
    change = fresh(session).scalars(select(QuoteChange)).one()
    _post(editor_client, f"/editor/answers/{answer.id}/correction",
          {"change_id": change.id, "decision": "approve", "excerpt": "Empathy is listening without rushing."})
    assert fresh(session).get(Answer, answer.id).body == BODY
    assert session.scalar(select(func.count()).select_from(OutboxMail).filter_by(kind="quote_change_awaiting_consent")) == 1
    # the editor's answer to an old request cannot be sent twice
    again = _post(editor_client, f"/editor/answers/{answer.id}/correction", {"change_id": change.id, "decision": "approve"})
    assert again.status_code == 409
    _post(author, f"/my/answers/{answer.id}/quote-change", {"change_id": change.id, "decision": "accept"})
    answer_now = fresh(session).get(Answer, answer.id)
    assert (answer_now.body, answer_now.excerpt) == (corrected, "Empathy is listening without rushing.")


def test_reviewing_cannot_change_a_published_quotes_words_behind_its_authors_back(published, session):
    _editor, _challenge, answer, editor_client = published
    response = _post(editor_client, f"/editor/answers/{answer.id}/review", {"decision": "approve", "excerpt": NEW_EXCERPT})
    assert response.status_code == 400 and "propose new words" in response.get_data(as_text=True)
    assert fresh(session).get(Answer, answer.id).excerpt is None


def test_my_answers_and_the_correction_requests_read_in_a_fixed_number_of_statements(
    published, login, make, session, count_queries
):
    editor, _, answer, editor_client = published
    author = login(answer.author)

    def statements(client, url):
        client.get(url)
        with count_queries() as seen:
            assert client.get(url).status_code == 200
        return len(seen)

    _post(author, f"/my/answers/{answer.id}/correction", {"body": BODY.replace("hurrying", "rushing")})
    few = statements(author, "/my/answers"), statements(editor_client, "/editor/corrections")
    for n in range(3):
        fresh(session)
        other = make.challenge(editor, title=f"Another {n}")
        make.approved(other, editor, answer.author, body=f"More words {n}.")
        challenges.close_challenge(session, other, editor)
        session.commit()
        assert _post(editor_client, f"/editor/challenges/{other.id}/publish").status_code == 302
        theirs = fresh(session).scalar(select(Answer).where(Answer.challenge_id == other.id))
        _post(author, f"/my/answers/{theirs.id}/correction", {"body": f"More words {n}, corrected."})
    many = statements(author, "/my/answers"), statements(editor_client, "/editor/corrections")
    assert many == few
