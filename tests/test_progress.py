"""Who has not answered yet: the progress of an open challenge and one reminder each."""
import datetime as dt
import re

from sqlalchemy import func, insert, select

from curation.accounts import services as accounts
from curation.answers import services as answers
from curation.challenges import progress
from curation.db import utcnow
from curation.models import Answer, AnswerState, AuditEntry, OutboxMail, Role, User
from curation.security import hash_password
from tests.conftest import fresh, now


def _reminders(session):
    return fresh(session).scalars(select(OutboxMail).where(OutboxMail.kind == "personal_reminder")).all()


def _block(page: str) -> str:
    start = page.index('id="progress"')
    return page[start:page.index("</section>", start)]


def _bulk_therapists(session, challenge, names, state=None):
    """Therapists in two statements (a password hash each would take minutes),
    each with an answer in `state`, or none."""
    password = hash_password("not used for logging in")
    session.execute(insert(User), [
        {"email": f"{name.replace(' ', '.').lower()}@example.org", "name": name, "credentials": "RP",
         "role": Role.THERAPIST, "password_hash": password}
        for name in names
    ])
    ids = session.scalars(select(User.id).where(User.name.in_(names))).all()
    if state is not None:
        session.execute(insert(Answer), [
            {"challenge_id": challenge.id, "author_id": author_id, "body": "Words " * 20, "state": state,
             "has_consent": True, "submitted_at": None if state == AnswerState.DRAFT else utcnow()}
            for author_id in ids
        ])
    session.commit()


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
    assert shown.submitted == 1  # Sam Done, the one submitted answer
    assert [u.name for u in shown.drafting.first] == ["Dee Drafting"] and shown.drafting.count == 1
    assert [u.name for u in shown.not_started.first] == ["Ida Idle"]  # the deactivated therapist is not counted
    assert shown.not_started.count == 1
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


def test_answers_of_therapists_since_deactivated_are_not_counted(app, session, make, auth, client):
    editor, challenge, *_ = _world(make, session)
    gone_submitted, gone_drafting = make.therapist(name="Gil Gone"), make.therapist(name="Gwen Gone")
    make.answer(challenge, gone_submitted)
    make.answer(challenge, gone_drafting, submit=False)
    for gone in (gone_submitted, gone_drafting):
        accounts.set_deactivated(session, fresh(session).get(User, gone.id), True, actor=editor)
        session.commit()
    shown = progress.of(fresh(session), challenge)
    assert (shown.submitted, shown.drafting.count, shown.not_started.count, shown.active) == (1, 1, 1, 3)
    auth.login(editor)
    block = _block(client.get(f"/editor/challenges/{challenge.id}").get_data(as_text=True))
    assert "<strong>1</strong> submitted · <strong>1</strong> drafting" in block and "of 3 active therapists" in block
    assert "Gil Gone" not in block and "Gwen Gone" not in block


def test_at_a_large_practice_the_editor_sees_every_count_and_the_first_names(app, session, make, auth, client):
    editor, challenge, *_ = _world(make, session)
    # named to sort before the world's own Dee Drafting and Ida Idle
    _bulk_therapists(session, challenge, [f"Bea Drafter{n:03d}" for n in range(80)], AnswerState.DRAFT)
    _bulk_therapists(session, challenge, [f"Bo Idle{n:03d}" for n in range(400)])
    _bulk_therapists(session, challenge, [f"Cy Submitter{n:04d}" for n in range(1500)], AnswerState.SUBMITTED)
    auth.login(editor)
    page = client.get(f"/editor/challenges/{challenge.id}").get_data(as_text=True)
    block = _block(page)

    assert "<strong>1,501</strong> submitted · <strong>81</strong> drafting" in block
    assert "<strong>401</strong> not started, of 1,983 active therapists." in block
    assert 'aria-label="1,501 submitted, 81 drafting, 401 not started"' in block
    cells = re.findall(r'class="cell cell-([a-z-]+)"', block)
    assert len(cells) == progress.BAR_CELLS  # shares of the practice, not a cell each
    assert cells == sorted(cells, key=["submitted", "drafting", "not-started"].index)
    assert cells.count("drafting") == 2 and cells.count("not-started") == 10

    drafting, not_started = block.split("<h3>Not started</h3>")
    names = re.findall(r"<li>([^<]+?)\s*<", not_started)
    assert names == [f"Bo Idle{n:03d}" for n in range(progress.NAMES_SHOWN)]  # the first by name
    assert "Ida Idle" not in block and "Dee Drafting" not in block
    assert re.findall(r"<li>([^<]+?)\s*<", drafting) == [f"Bea Drafter{n:03d}" for n in range(progress.NAMES_SHOWN)]
    assert f"…and 31 more. Only the first {progress.NAMES_SHOWN} by name are listed here." in drafting
    assert f"…and 351 more. Only the first {progress.NAMES_SHOWN} by name are listed here." in not_started
    assert block.count("Send a reminder") == 2 * progress.NAMES_SHOWN
    assert "Cy Submitter" not in block


def test_one_therapist_at_a_stage_keeps_a_cell_of_the_bar(app, session, make, auth, client):
    editor = make.editor()
    challenge = make.challenge(editor)
    make.answer(challenge, make.therapist(name="Una Only"))
    _bulk_therapists(session, challenge, [f"Bo Idle{n:03d}" for n in range(300)])
    auth.login(editor)
    block = _block(client.get(f"/editor/challenges/{challenge.id}").get_data(as_text=True))
    assert "<strong>1</strong> submitted" in block and "of 301 active therapists" in block
    cells = re.findall(r'class="cell cell-([a-z-]+)"', block)
    assert cells.count("submitted") == 1 and len(cells) == progress.BAR_CELLS
    assert "Drafting, not yet submitted" not in block  # nobody drafting: no empty list
