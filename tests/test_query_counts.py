"""The statements behind each page stay the same however much data there is."""
import pytest
from sqlalchemy import insert, select

from curation.db import utcnow
from curation.models import Answer, AnswerState, Role, User
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
