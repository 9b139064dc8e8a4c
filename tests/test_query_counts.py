"""The statements behind each page stay the same however much data there is."""
import pytest
from sqlalchemy import event, insert, select

from curation.challenges.progress import NAMES_SHOWN
from curation.db import utcnow
from curation.models import Answer, AnswerState, Role, User
from curation.review.services import PER_PAGE
from curation.security import hash_password


def _bulk_answers(session, challenge, count, start):
    """Many authors with a submitted answer each, inserted in two statements."""
    password = hash_password("not used for logging in")
    users = [
        {"email": f"bulk{start + i}@example.org", "name": f"Bulk Author{start + i}", "credentials": "RP",
         "role": Role.THERAPIST, "password_hash": password}
        for i in range(count)
    ]
    session.execute(insert(User), users)
    ids = [u.id for u in session.scalars(select(User).filter(User.email.like("bulk%")).order_by(User.id))][start:start + count]
    session.execute(insert(Answer), [
        {"challenge_id": challenge.id, "author_id": uid, "body": "Words " * 40, "state": AnswerState.SUBMITTED,
         "has_consent": True, "submitted_at": utcnow()}
        for uid in ids
    ])
    session.commit()


def _statements(count_queries, client, url):
    client.get(url)  # warm up: first-request work is not what we measure
    with count_queries() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


@pytest.mark.parametrize("page", ["queue", "dashboard", "order", "preview", "archive", "feature"])
def test_statements_per_page_are_the_same_at_10_and_1000_answers(make, session, auth, client, count_queries, page, app):
    editor = make.editor()
    challenge = make.challenge(editor)
    _bulk_answers(session, challenge, 10, 0)
    for _ in range(3):
        make.approved(challenge, editor)
    if page == "feature":
        from curation.models import ChallengeState
        from curation.publishing import services as publishing

        challenge.state = ChallengeState.CLOSED
        with app.test_request_context():
            publishing.publish(session, challenge, editor)
        session.commit()
    auth.login(editor)
    url = {
        "queue": f"/editor/challenges/{challenge.id}",
        "dashboard": "/editor/",
        "order": f"/editor/challenges/{challenge.id}/order",
        "preview": f"/editor/challenges/{challenge.id}/preview",
        "archive": "/",
        "feature": f"/features/{challenge.slug}",
    }[page]
    at_ten = _statements(count_queries, client, url)
    _bulk_answers(session, challenge, 990, 10)
    at_thousand = _statements(count_queries, client, url)
    assert at_ten == at_thousand


def _bulk_therapists(session, challenge, count, start):
    """`count` more therapists: a tenth drafting, three tenths not started, the rest submitted or approved."""
    password = hash_password("not used for logging in")
    session.execute(insert(User), [
        {"email": f"many{start + i}@example.org", "name": f"Many Therapist{start + i:05d}", "credentials": "RP",
         "role": Role.THERAPIST, "password_hash": password}
        for i in range(count)
    ])
    ids = session.scalars(select(User.id).where(User.email.like("many%")).order_by(User.id)).all()[start:start + count]
    states = [AnswerState.DRAFT] + [None] * 3 + [AnswerState.SUBMITTED] * 5 + [AnswerState.APPROVED]
    session.execute(insert(Answer), [
        {"challenge_id": challenge.id, "author_id": uid, "body": "Words " * 40, "state": state, "has_consent": True,
         "submitted_at": None if state == AnswerState.DRAFT else utcnow()}
        for n, uid in enumerate(ids) if (state := states[n % len(states)]) is not None
    ])
    session.commit()


@pytest.mark.parametrize("query", ["", "?state=approved", "?page=2"])
def test_the_queue_of_an_open_challenge_costs_the_same_at_100_and_2000_therapists(
    make, session, auth, client, count_queries, app, query
):
    """Its statements, and the people it loads: the page of answers and the names
    it lists, never everyone (the progress block once read every therapist)."""
    editor = make.editor()
    challenge = make.challenge(editor)
    gone = make.therapist(name="Dee Deactivated")
    session.get(User, gone.id).is_deactivated = True
    session.commit()
    _bulk_therapists(session, challenge, 100, 0)
    auth.login(editor)
    url = f"/editor/challenges/{challenge.id}{query}"
    loaded: list[int] = []

    def count_users(target, context):
        loaded.append(target.id)

    def cost() -> tuple[int, int]:
        client.get(url)  # warm up: first-request work is not what we measure
        loaded.clear()
        event.listen(User, "load", count_users)
        try:
            with count_queries() as statements:
                assert client.get(url).status_code == 200
        finally:
            event.remove(User, "load", count_users)
        return len(statements), len(loaded)

    at_hundred = cost()
    _bulk_therapists(session, challenge, 1900, 100)
    at_two_thousand = cost()
    assert at_hundred[0] == at_two_thousand[0]
    # the editor, a page of authors, and at most the names listed as drafting and not started
    assert at_two_thousand[1] <= 1 + PER_PAGE + 2 * NAMES_SHOWN
