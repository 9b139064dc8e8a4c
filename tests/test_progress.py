"""Who has not answered yet: the progress of an open challenge and one reminder each."""
import datetime as dt

from sqlalchemy import func, select

from curation.accounts import services as accounts
from curation.answers import services as answers
from curation.challenges import progress
from curation.models import AuditEntry, OutboxMail
from tests.conftest import fresh, now


def _reminders(session):
    return fresh(session).scalars(select(OutboxMail).where(OutboxMail.kind == "personal_reminder")).all()


def _world(make, session, **challenge_fields):
    editor = make.editor()
    challenge = make.challenge(editor, **challenge_fields)
    done, drafting, idle, away = (make.therapist(name=n) for n in ("Sam Done", "Dee Drafting", "Ida Idle", "Al Away"))
    make.answer(challenge, done)
    make.answer(challenge, drafting, submit=False)
    accounts.set_deactivated(session, fresh(session).get(type(away), away.id), True, actor=editor)
    session.commit()
    return editor, challenge, done, drafting, idle, away


def test_progress_counts_the_active_therapists_by_how_far_they_are(app, session, make):
    _, challenge, *_ = _world(make, session, closes_at=now() + dt.timedelta(days=2, hours=3))
    shown = progress.of(fresh(session), challenge)
    assert [u.name for u in shown.submitted] == ["Sam Done"]
    assert [u.name for u in shown.drafting] == ["Dee Drafting"]
    assert [u.name for u in shown.not_started] == ["Ida Idle"]  # the deactivated therapist is not counted
    assert shown.active == 3 and shown.cells == ["submitted", "drafting", "not-started"]
    assert shown.days_left == 3


def test_the_editor_sees_the_bar_and_who_has_not_submitted(app, session, make, auth, client):
    editor, challenge, *_ = _world(make, session)
    auth.login(editor)
    page = client.get(f"/editor/challenges/{challenge.id}").get_data(as_text=True)
    assert "<strong>1</strong> submitted · <strong>1</strong> drafting" in page
    assert "of 3 active therapists" in page and "No deadline." in page
    assert page.count('class="cell cell-') == 3
    block = page[page.index('id="progress"'):page.index("</section>", page.index('id="progress"'))]
    assert "Dee Drafting" in block and "Ida Idle" in block
    assert "Sam Done" not in block and "Al Away" not in block
    assert block.count("Send a reminder") == 2


def test_a_closed_challenge_shows_no_progress_block(app, session, make, auth, client):
    editor = make.editor()
    challenge = make.challenge(editor, state="closed")
    auth.login(editor)
    assert 'id="progress"' not in client.get(f"/editor/challenges/{challenge.id}").get_data(as_text=True)


def test_one_reminder_each_however_often_the_button_is_pressed(app, session, make, auth, post, client):
    editor, challenge, _, drafting, idle, _ = _world(make, session)
    auth.login(editor)
    for _ in range(2):
        response = post(f"/editor/challenges/{challenge.id}/remind/{idle.id}")
        assert response.status_code == 302
    assert "already been reminded" in client.get(response.headers["Location"]).get_data(as_text=True)
    post(f"/editor/challenges/{challenge.id}/remind/{drafting.id}")
    mails = _reminders(session)
    assert sorted(m.recipient for m in mails) == sorted([idle.email, drafting.email])
    assert "Your draft" in next(m for m in mails if m.recipient == drafting.email).text_body
    assert "not heard from you" in next(m for m in mails if m.recipient == idle.email).text_body
    actions = session.scalars(select(AuditEntry.detail).where(AuditEntry.action == "challenge.reminder_sent")).all()
    assert sorted(actions) == sorted([idle.name, drafting.name])
    page = client.get(f"/editor/challenges/{challenge.id}").get_data(as_text=True)
    assert page.count("· reminded") == 2 and "Send a reminder" not in page


def test_reminders_are_refused_where_they_make_no_sense(app, session, make, auth, post, client):
    editor, challenge, done, _, idle, away = _world(make, session)
    other_editor = make.editor()
    quiet = make.therapist(name="Quinn Quiet")
    quiet_row = fresh(session).get(type(quiet), quiet.id)
    quiet_row.wants_notifications = False
    session.commit()
    auth.login(editor)
    for user, message in ((done, "already submitted"), (quiet, "turned off mail")):
        response = post(f"/editor/challenges/{challenge.id}/remind/{user.id}", follow_redirects=True)
        assert message in response.get_data(as_text=True)
    for user_id in (away.id, other_editor.id, 999999):
        assert post(f"/editor/challenges/{challenge.id}/remind/{user_id}").status_code == 404
    assert post(f"/editor/challenges/999999/remind/{idle.id}").status_code == 404
    closed = make.challenge(editor, state="closed", title="Closed One")
    response = post(f"/editor/challenges/{closed.id}/remind/{idle.id}", follow_redirects=True)
    assert "only while the challenge is open" in response.get_data(as_text=True)
    assert _reminders(session) == []
    assert fresh(session).scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "challenge.reminder_sent")) == 0


def test_a_therapist_cannot_send_reminders(app, session, make, auth, post):
    _, challenge, done, _, idle, _ = _world(make, session)
    auth.login(done)
    assert post(f"/editor/challenges/{challenge.id}/remind/{idle.id}").status_code == 403
    assert _reminders(session) == []


def test_the_progress_block_costs_the_same_statements_for_more_therapists(app, session, make, auth, client, count_queries):
    editor, challenge, *_ = _world(make, session)
    auth.login(editor)
    client.get(f"/editor/challenges/{challenge.id}")
    with count_queries() as few:
        client.get(f"/editor/challenges/{challenge.id}")
    for n in range(6):
        therapist = make.therapist()
        if n % 2:
            answers.save(session, challenge, therapist, body="Words.", credit="full", consent=True, submit=False)
    session.commit()
    with count_queries() as many:
        client.get(f"/editor/challenges/{challenge.id}")
    assert len(many) == len(few)
