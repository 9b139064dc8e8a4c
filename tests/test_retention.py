"""`flask --app curation purge`: what the retention settings say is due goes,
nothing else, and a second run finds nothing more."""
import datetime as dt

from sqlalchemy import func, select, update

from curation.accounts import services as accounts
from curation.models import AccountToken, Answer, AnswerState, ConsentRecord, Invitation, LoginSession, OutboxMail, Role
from curation.review import services as review
from tests.conftest import Auth, fresh

LONG_AGO = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=400)


def _count(session, model):
    return fresh(session).scalar(select(func.count()).select_from(model))


def test_purge_deletes_what_is_due_keeps_the_rest_and_is_safe_to_run_twice(app, make, session, runner):
    editor = make.editor()
    challenge = make.challenge(editor)
    old_withdrawn, new_withdrawn = make.answer(challenge), make.answer(challenge)
    old_rejected = make.answer(challenge)
    kept = make.answer(challenge, body="Kept.")
    from curation.answers import services as answers

    for answer in (old_withdrawn, new_withdrawn):
        answers.withdraw(session, fresh(session).get(Answer, answer.id), answer.author)
        session.commit()
    review.review(session, fresh(session).get(Answer, old_rejected.id), editor, decision="reject")
    session.commit()
    session.execute(update(Answer).where(Answer.id.in_([old_withdrawn.id, old_rejected.id])).values(updated_at=LONG_AGO))
    with app.test_request_context():
        from curation.mail import services as mail

        old_mail = mail.queue(session, kind="test", recipient="a@example.org", subject="Old", template="reminder",
                              challenge=challenge, therapist=kept.author)
        mail.queue(session, kind="test", recipient="b@example.org", subject="Unsent", template="reminder",
                   challenge=challenge, therapist=kept.author)
    old_mail.sent_at = LONG_AGO
    accounts.request_password_reset(session, kept.author.email, requested_from="")
    accounts.invite(session, email="late@example.org", role=Role.THERAPIST, invited_by=editor,
                    now=LONG_AGO)
    session.commit()
    Auth(app.test_client()).login(kept.author)
    session.execute(update(LoginSession).values(last_seen_at=LONG_AGO))
    session.commit()
    Auth(app.test_client()).login(kept.author)  # a session in use stays

    app.config["RETENTION_OUTBOX_DAYS"] = 30
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "1 withdrawn answers, 1 rejected answers, 1 sent mail" in result.output
    remaining = {a.id for a in fresh(session).scalars(select(Answer))}
    assert remaining == {new_withdrawn.id, kept.id}
    assert _count(session, ConsentRecord) == 2  # the consents of the answers that remain
    assert [m.subject for m in session.scalars(select(OutboxMail))] == ["Unsent"]
    assert _count(session, AccountToken) == 1  # not expired yet
    assert _count(session, Invitation) == 0
    assert _count(session, LoginSession) == 1
    again = runner.invoke(args=["purge"])
    assert again.exit_code == 0 and "0 withdrawn answers, 0 rejected answers, 0 sent mail" in again.output


def test_a_published_answer_is_never_purged_whatever_its_state(app, make, session, runner):
    editor = make.editor()
    challenge = make.challenge(editor)
    answer = make.approved(challenge, editor)
    session.execute(update(Answer).values(state=AnswerState.WITHDRAWN, published_at=LONG_AGO, updated_at=LONG_AGO))
    session.commit()
    runner.invoke(args=["purge"])
    assert fresh(session).get(Answer, answer.id) is not None
