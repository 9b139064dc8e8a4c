"""The card excerpt: the same own-words rule and the same consent as the excerpt,
and publishing waits for it."""
from __future__ import annotations

from sqlalchemy import func, select

from curation.challenges import services as challenges
from curation.models import Answer, ExcerptConsent, OutboxMail, Publication
from tests.conftest import fresh

BODY = "Empathy is listening without hurrying. It is hard on busy days. It heals anyway."
CARD = "Empathy is listening … It heals anyway."


def _approved_with_card(make, auth, post, session):
    editor = make.editor()
    challenge = make.challenge(editor)
    answer = make.answer(challenge, body=BODY)
    auth.login(editor)
    response = post(f"/editor/answers/{answer.id}/review", {"decision": "approve", "card_excerpt": CARD})
    assert response.status_code == 302
    auth.logout()
    return editor, challenge, answer


def test_the_card_excerpt_is_asked_of_the_author_with_the_cuts_struck(make, auth, client, post, session):
    _, challenge, answer = _approved_with_card(make, auth, post, session)
    stored = fresh(session).get(Answer, answer.id)
    assert (stored.card_excerpt, stored.card_excerpt_consent) == (CARD, ExcerptConsent.PENDING)
    mail = session.scalars(select(OutboxMail).filter_by(kind="excerpt_awaiting_consent")).one()
    assert CARD in mail.text_body and "square quote card" in mail.text_body
    auth.login(answer.author)
    page = client.get(f"/challenges/{challenge.id}/answer").get_data(as_text=True)
    assert "The editor’s card excerpt" in page and "<del> without hurrying. It is hard on busy days.</del>" in page
    response = post(f"/challenges/{challenge.id}/answer/excerpt", {"kind": "card", "decision": "accept"})
    assert response.status_code == 302
    stored = fresh(session).get(Answer, answer.id)
    assert stored.card_excerpt_consent == ExcerptConsent.ACCEPTED and stored.excerpt_consent == ExcerptConsent.NONE
    told = session.scalars(select(OutboxMail).filter_by(kind="excerpt_decided")).one()
    assert "accepted the card excerpt" in told.subject


def test_a_card_excerpt_must_be_the_answers_own_words(make, auth, post, session):
    editor = make.editor()
    challenge = make.challenge(editor)
    answer = make.answer(challenge, body=BODY)
    auth.login(editor)
    response = post(f"/editor/answers/{answer.id}/review", {"decision": "approve", "card_excerpt": "Empathy is magic."})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Empathy is magic." in page
    card_field = page.split('name="card_excerpt"', 1)[1].split("</div>", 1)[0]
    assert "The card excerpt" in card_field
    assert fresh(session).get(Answer, answer.id).state == "submitted"


def test_publishing_waits_for_the_card_excerpt(make, auth, post, session, client):
    editor, challenge, answer = _approved_with_card(make, auth, post, session)
    challenges.close_challenge(session, fresh(session).get(type(challenge), challenge.id), editor)
    session.commit()
    auth.login(editor)
    response = post(f"/editor/challenges/{challenge.id}/publish", follow_redirects=True)
    assert "Publishing waits for these authors" in response.get_data(as_text=True)
    assert answer.author.name in response.get_data(as_text=True)
    assert fresh(session).scalar(select(func.count()).select_from(Publication)) == 0
    auth.logout()
    auth.login(answer.author)
    post(f"/challenges/{challenge.id}/answer/excerpt", {"kind": "card", "decision": "decline", "note": "Not that cut."})
    assert fresh(session).get(Answer, answer.id).card_excerpt_author_note == "Not that cut."
    auth.logout()
    auth.login(editor)
    post(f"/editor/challenges/{challenge.id}/publish")
    assert fresh(session).scalar(select(func.count()).select_from(Publication)) == 0
    # once the author accepts a card excerpt, the feature publishes
    auth.logout()
    auth.login(editor)
    post(f"/editor/answers/{answer.id}/review", {"decision": "approve", "card_excerpt": "It heals anyway."})
    auth.logout()
    auth.login(answer.author)
    post(f"/challenges/{challenge.id}/answer/excerpt", {"kind": "card", "decision": "accept"})
    auth.logout()
    auth.login(editor)
    post(f"/editor/challenges/{challenge.id}/publish")
    assert fresh(session).scalar(select(func.count()).select_from(Publication)) == 1


def test_the_consent_mail_strikes_what_each_excerpt_cuts(make, auth, post, session):
    editor = make.editor()
    challenge = make.challenge(editor)
    answer = make.answer(challenge, body=BODY)
    auth.login(editor)
    excerpt = "Empathy is listening without hurrying. … It heals anyway."
    response = post(f"/editor/answers/{answer.id}/review",
                    {"decision": "approve", "excerpt": excerpt, "card_excerpt": CARD})
    assert response.status_code == 302
    html = session.scalars(select(OutboxMail).filter_by(kind="excerpt_awaiting_consent")).one().html_body
    for_excerpt, for_card = html.split("For the square quote card", 1)
    assert '<del style="color:#999;"> It is hard on busy days.</del>' in for_excerpt
    assert "without hurrying.</del>" not in for_excerpt
    assert '<del style="color:#999;"> without hurrying. It is hard on busy days.</del>' in for_card
