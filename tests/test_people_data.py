"""People's data in their own hands: what the tool holds about them, and
erasure when they leave, checked against every public output."""
import json

from sqlalchemy import func, select

from curation.accounts import services as accounts
from curation.challenges import services as challenges
from curation.models import Answer, AuditEntry, ConsentRecord, OutboxMail, Publication, QuoteCard, User
from curation.publishing import services as publishing
from tests.conftest import Auth, csrf, fresh, run_jobs
from tests.security.conftest import snapshot

NAME, EMAIL, CREDENTIALS = "Ravi Qwertyson", "ravi.q@example.org", "RP (Qualifying)"


def _publish(app, session, challenge, editor):
    challenges.close_challenge(session, challenge, editor)
    with app.test_request_context():
        publishing.publish(session, challenge, editor)
    session.commit()


def _desk(client, challenge, **data):
    path = f"/challenges/{challenge.id}/answer"
    return client.post(path, data={**data, "csrf_token": csrf(client, path)})


def test_a_submit_and_an_excerpt_decision_record_the_exact_statement_and_time(app, make, session):
    editor, therapist = make.editor(), make.therapist()
    challenge = make.challenge(editor)
    client = app.test_client()
    Auth(client).login(therapist)
    page = client.get(f"/challenges/{challenge.id}/answer").get_data(as_text=True)
    from curation.answers.services import CONSENT_STATEMENT

    assert CONSENT_STATEMENT in page  # the words recorded are the words shown
    _desk(client, challenge, body="Rest is a kindness. It heals.", credit="first", consent="y", submit="Submit answer")
    answer = fresh(session).scalar(select(Answer))
    from curation.review import services as review

    review.review(session, answer, editor, decision="approve", excerpt="Rest is a kindness.")
    session.commit()
    path = f"/challenges/{challenge.id}/answer/excerpt"
    client.post(path, data={"decision": "accept", "csrf_token": csrf(client, f"/challenges/{challenge.id}/answer")})
    records = fresh(session).scalars(select(ConsentRecord).order_by(ConsentRecord.id)).all()
    assert [(r.kind, r.statement, r.words, r.credit) for r in records] == [
        ("submit", CONSENT_STATEMENT, "Rest is a kindness. It heals.", "first"),
        ("excerpt_accepted", "Yes, publish these words", "Rest is a kindness.", "first"),
    ]
    _publish(app, session, fresh(session).get(type(challenge), challenge.id), editor)
    [quote] = json.loads(fresh(session).scalar(select(Publication)).data)["quotes"]
    assert quote["consent"]["statement"] == "Yes, publish these words"
    assert quote["consent"]["recorded_at"] == records[1].at.isoformat()
    data = client.get("/my/data.json").get_json()
    assert [c["statement"] for c in data["consents"]] == [CONSENT_STATEMENT, "Yes, publish these words"]


def test_my_data_holds_profile_answers_in_every_state_with_history_notes_and_mails(app, make, session, auth, client):
    editor = make.editor()
    me, other = make.therapist(name=NAME, email=EMAIL), make.therapist()
    first, second = make.challenge(editor), make.challenge(editor, title="Another One")
    approved = make.approved(first, editor, me, body="My approved words.")
    make.answer(second, me, body="My draft words.", submit=False)
    make.answer(first, other, body="Someone else's words.")
    from curation.review import services as review

    review.review(session, fresh(session).get(Answer, approved.id), editor, decision="approve", note="Lovely.",
                  excerpt="My approved")
    session.commit()
    with app.test_request_context():
        from curation.mail import services as mail

        mail.queue_answer_reviewed(session, fresh(session).get(Answer, approved.id))
    session.commit()
    auth.login(me)
    response = client.get("/my/data.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.get_json()
    assert data["profile"]["email"] == EMAIL and data["profile"]["name"] == NAME
    bodies = {a["body"]: a for a in data["answers"]}
    assert set(bodies) == {"My approved words.", "My draft words."}
    assert bodies["My approved words."]["editor_note"] == "Lovely."
    assert [h["action"] for h in bodies["My approved words."]["history"]][:2] == ["answer.drafted", "answer.submitted"]
    assert bodies["My draft words."]["state"] == "draft"
    assert any(m["kind"] == "excerpt_awaiting_consent" for m in data["mails"])
    assert data["login_sessions"] and data["consents"]
    assert "Someone else's words." not in response.get_data(as_text=True)
    assert app.test_client().get("/my/data.json").status_code == 302  # not logged in: the login page


def _public_text(client, session):
    """Every public page and output of the site, and what is stored for them."""
    texts = [client.get(path).get_data(as_text=True) for path in ("/", "/feed.atom")]
    for publication in fresh(session).scalars(select(Publication)):
        texts += [publication.html, publication.fragment, publication.markdown, publication.data]
        for suffix in ("", ".md", "/fragment.html"):
            response = client.get(f"/features/{publication.slug}{suffix}")
            texts.append(response.get_data(as_text=True))
    return "\n".join(texts)


def test_an_erased_person_appears_nowhere_public_and_nowhere_in_the_database(app, make, session, auth, client, post):
    editor = make.editor()
    ravi = make.therapist(name=NAME, email=EMAIL, credentials=CREDENTIALS)
    colleague = make.therapist(name="Maya Okafor")
    kept = make.challenge(editor, title="Kept Feature")
    kept_answer = make.approved(kept, editor, ravi, body="Rest is a kindness we owe ourselves.")
    make.approved(kept, editor, colleague, body="Rest is repair.")
    removed = make.challenge(editor, title="Removed Feature")
    make.approved(removed, editor, ravi, body="Quiet is a gift.")
    make.approved(removed, editor, colleague, body="Quiet helps me hear.")
    alone = make.challenge(editor, title="Only Ravi")
    make.approved(alone, editor, ravi, body="Alone with my words.")
    for challenge in (kept, removed, alone):
        _publish(app, session, fresh(session).get(type(challenge), challenge.id), editor)
    drafting = make.challenge(editor, title="Still Open")
    make.answer(drafting, ravi, body="An unpublished secret draft.", submit=False)
    with app.test_request_context():
        from curation.mail import services as mail

        mail.queue(session, kind="test", recipient=EMAIL, subject=f"Hello {NAME}", template="reminder",
                   challenge=drafting, therapist=ravi)
    session.commit()
    before = _public_text(client, session)
    assert NAME in before and CREDENTIALS in before

    auth.login(editor)
    page = client.get(f"/editor/people/{ravi.id}/erase").get_data(as_text=True)
    assert "cannot be undone" in page and "Kept Feature" in page and "Only Ravi" in page
    response = post(f"/editor/people/{ravi.id}/erase", data={
        f"feature_{kept.id}": "anonymous", f"feature_{removed.id}": "remove", f"feature_{alone.id}": "remove"})
    assert response.status_code == 302
    auth.logout()

    after = _public_text(client, session)
    for word in (NAME, "Ravi", "Qwertyson", EMAIL, CREDENTIALS, "secret draft", "Quiet is a gift", "Alone with my words"):
        assert word not in after, word
    assert "Rest is a kindness we owe ourselves." in after and "A registered psychotherapist" in after
    assert "Quiet helps me hear." in after and "Maya Okafor" in after
    assert client.get(f"/features/{fresh(session).get(type(alone), alone.id).slug}").status_code == 404
    # nowhere in the database either: every row of every table
    everything = repr(snapshot(session))
    for word in ("Qwertyson", EMAIL, CREDENTIALS, "secret draft", "Quiet is a gift", "Alone with my words"):
        assert word not in everything, word
    # only the versions readers see remain, each with its own cards
    publications = fresh(session).scalars(select(Publication)).all()
    assert all(p.is_public for p in publications if p.challenge_id != alone.id)
    run_jobs(app)  # the cards of the new versions, drawn after the commit as in production
    quote_cards = select(func.count()).select_from(QuoteCard).where(QuoteCard.number > 0)
    assert fresh(session).scalar(quote_cards) == 3  # one per quote of the current versions: 2 kept, 1 left
    # each change reached readers as a correction: a new version, in the audit log
    current = {p.challenge_id: p.version for p in publications if p.is_public}
    assert current == {kept.id: 2, removed.id: 2}
    actions = [e.action for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions.count("publication.published") == 3 + 2  # the first three, then two corrections
    assert actions.count("publication.unpublished") == 1 and actions[-1] == "user.erased"
    erased = session.get(User, ravi.id)
    assert erased.erased_at is not None and erased.is_deactivated
    assert fresh(session).get(Answer, kept_answer.id).credit == "anonymous"
    assert session.scalar(select(func.count()).select_from(OutboxMail).filter(OutboxMail.recipient == EMAIL)) == 0
    assert session.scalar(select(func.count()).select_from(AuditEntry).filter_by(action="user.erased")) == 1
    assert Auth(app.test_client()).login(EMAIL).status_code == 401
    assert NAME not in client.get("/editor/people").get_data(as_text=True)


def test_erasure_is_refused_to_therapists_for_oneself_and_for_unknown_ids(app, make, session, auth, post):
    editor, therapist = make.editor(), make.therapist(name=NAME)
    other = app.test_client()
    Auth(other).login(make.therapist())
    token = csrf(other, "/account")
    assert other.get(f"/editor/people/{therapist.id}/erase").status_code == 403
    assert other.post(f"/editor/people/{therapist.id}/erase", data={"csrf_token": token}).status_code == 403
    auth.login(editor)
    assert post("/editor/people/99999/erase").status_code == 404
    response = post(f"/editor/people/{editor.id}/erase")
    assert response.status_code == 400 and "cannot erase your own account" in response.get_data(as_text=True)
    assert fresh(session).get(User, editor.id).erased_at is None
    assert post(f"/editor/people/{therapist.id}/erase").status_code == 302
    assert post(f"/editor/people/{therapist.id}/erase").status_code == 404  # erased once is gone
    assert fresh(session).get(User, therapist.id).name != NAME
    assert accounts.find_by_email(session, "x") is None
