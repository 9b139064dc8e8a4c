"""Mail through a real SMTP server run in-process (aiosmtpd): written with its
event, sent after commit, once, with the right links; a down or slow server
loses nothing and slows no request."""
import datetime as dt
import re
import socket
import threading
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from curation import db
from curation.mail import delivery
from curation.mail import services as mail
from curation.models import Answer, Challenge, OutboxMail, User
from tests.conftest import PASSWORD, Auth, csrf, fresh, publish_form


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """What the SMTP server received, one entry per delivered mail."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    @property
    def messages(self):
        return [message_from_bytes(e.original_content or e.content, policy=policy.default) for e in self.envelopes]

    def to(self, address):
        return [m for e, m in zip(self.envelopes, self.messages, strict=True) if address in e.rcpt_tos]


@pytest.fixture
def inbox(app):
    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port())
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_DEFAULT_SENDER="blog@practice.example")
    yield box
    controller.stop()


@pytest.fixture
def silent_server(app):
    """Accepts connections (the kernel does) but never says a word, like a hung server."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=listener.getsockname()[1], MAIL_TIMEOUT=0.5)
        yield listener


def _login(app, user):
    client = app.test_client()
    Auth(client).login(user)
    return client


def _post(client, path, data=None):
    data = dict(data or {})
    data["csrf_token"] = csrf(client, "/account")
    return client.post(path, data=data)


def _send(runner):
    return runner.invoke(args=["send-mail"])


def _body(message, subtype="plain"):
    return message.get_body(preferencelist=(subtype,)).get_content()


def _links(text):
    return re.findall(r"https?://[^\s\"<>]+", text)


def _queue_one(app, session, recipient="someone@example.org", **kw):
    with app.test_request_context():
        queued = mail.queue(session, kind="test", recipient=recipient, subject="Hello", template="reminder",
                            challenge=kw.get("challenge"), therapist=kw.get("therapist"))
    return queued


@pytest.fixture
def reminder_context(make):
    therapist = make.therapist(name="Maya Okafor")
    challenge = make.challenge(closes_at=dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=2))
    return challenge, therapist


# --- sent after commit, once ---------------------------------------------------------------

def test_a_queued_mail_is_sent_once_as_text_and_html(app, session, runner, inbox, reminder_context):
    challenge, therapist = reminder_context
    _queue_one(app, session, therapist.email, challenge=challenge, therapist=therapist)
    session.commit()

    result = _send(runner)
    assert result.exit_code == 0, result.output
    assert "Sent 1 mail" in result.output
    [message] = inbox.to(therapist.email)
    assert message["From"] == "blog@practice.example" and message["Subject"] == "Hello"
    assert message.get_content_type() == "multipart/alternative"
    assert "Hello Maya" in _body(message) and "<p>Hello Maya,</p>" in _body(message, "html")

    assert _send(runner).exit_code == 0
    assert len(inbox.envelopes) == 1
    row = fresh(session).scalars(select(OutboxMail)).one()
    assert row.sent_at is not None and row.attempts == 1 and row.last_error == ""


def test_a_mail_in_a_transaction_not_yet_committed_is_not_sent_and_a_rollback_drops_it(app, session, inbox, reminder_context):
    challenge, therapist = reminder_context
    _queue_one(app, session, therapist.email, challenge=challenge, therapist=therapist)  # flushed, not committed
    with app.app_context(), db.new_session(writes=False) as sender:
        report = delivery.send_due(sender, delivery.SmtpSettings.from_config(app.config))
    assert report.sent == 0 and inbox.envelopes == []
    session.rollback()
    assert session.scalar(select(func.count()).select_from(OutboxMail)) == 0


def test_a_request_that_fails_queues_no_mail(make, app, session):
    editor = make.editor()
    challenge = make.challenge(editor)
    answer = make.answer(challenge)
    client = _login(app, editor)
    response = _post(client, f"/editor/answers/{answer.id}/review",
                     {"decision": "approve", "note": "Lovely", "excerpt": "Words the author never wrote."})
    assert response.status_code == 400
    assert fresh(session).scalar(select(func.count()).select_from(OutboxMail)) == 0


def test_two_send_mail_runs_at_once_send_each_mail_exactly_once(app, session, inbox, reminder_context):
    challenge, therapist = reminder_context
    for n in range(30):
        _queue_one(app, session, f"reader{n}@example.org", challenge=challenge, therapist=therapist)
    session.commit()
    settings = delivery.SmtpSettings.from_config(app.config)
    reports = []

    def run():
        with app.app_context(), db.new_session(writes=True) as own:
            reports.append(delivery.send_due(own, settings))

    runs = [threading.Thread(target=run) for _ in range(2)]
    for thread in runs:
        thread.start()
    for thread in runs:
        thread.join()

    recipients = sorted(r for e in inbox.envelopes for r in e.rcpt_tos)
    assert recipients == sorted(f"reader{n}@example.org" for n in range(30))
    assert len({m["Message-ID"] for m in inbox.messages}) == 30
    assert sum(r.sent for r in reports) == 30
    assert fresh(session).scalar(select(func.count()).select_from(OutboxMail).filter(OutboxMail.sent_at.is_(None))) == 0


def test_a_mail_claimed_by_one_run_is_refused_to_another(app, session, reminder_context):
    challenge, therapist = reminder_context
    _queue_one(app, session, therapist.email, challenge=challenge, therapist=therapist)
    session.commit()
    now = dt.datetime.now(dt.timezone.utc)
    with app.app_context(), db.new_session(writes=False) as first, db.new_session(writes=False) as second:
        [seen_by_first] = delivery.due(first, now)
        [seen_by_second] = delivery.due(second, now)
        first.commit()
        second.commit()
        assert delivery.claim(first, seen_by_first, now) is True
        assert delivery.claim(second, seen_by_second, now) is False
    row = fresh(session).scalars(select(OutboxMail)).one()
    assert row.attempts == 1 and row.next_attempt_at > now


# --- a server that is down or slow ---------------------------------------------------------

def test_a_down_server_loses_nothing_and_the_mail_goes_once_when_it_is_back(app, session, runner, make, reminder_context):
    challenge, therapist = reminder_context
    _queue_one(app, session, therapist.email, challenge=challenge, therapist=therapist)
    session.commit()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=_free_port())  # nothing listens there

    before = dt.datetime.now(dt.timezone.utc)
    result = _send(runner)
    assert result.exit_code != 0 and "did not take the mail" in result.output
    row = fresh(session).scalars(select(OutboxMail)).one()
    assert row.sent_at is None and row.attempts == 1
    assert row.next_attempt_at >= before + delivery.FIRST_RETRY
    assert "Connection" in row.last_error or "refused" in row.last_error.lower()

    # right away, the mail waits for its retry time: nothing is tried
    assert _send(runner).exit_code == 0
    assert fresh(session).scalars(select(OutboxMail)).one().attempts == 1
    outbox = _login(app, make.editor()).get("/editor/outbox").get_data(as_text=True)
    assert "not sent yet (1 try: " in outbox and "next try" in outbox
    app.extensions["curation.mail_sender"].wait()

    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        app.config.update(MAIL_PORT=controller.port)
        later = row.next_attempt_at + dt.timedelta(seconds=1)
        with app.app_context(), db.new_session(writes=True) as sender:
            settings = delivery.SmtpSettings.from_config(app.config)
            assert delivery.send_due(sender, settings, now=later).sent == 1
            assert delivery.send_due(sender, settings, now=later + dt.timedelta(hours=1)).sent == 0
    finally:
        controller.stop()
    assert [e.rcpt_tos for e in box.envelopes] == [[therapist.email]]
    row = fresh(session).scalars(select(OutboxMail)).one()
    assert row.sent_at is not None and row.attempts == 2


def test_a_server_that_hangs_costs_the_run_one_timeout_and_loses_nothing(app, session, runner, silent_server, reminder_context):
    challenge, therapist = reminder_context
    for n in range(3):
        _queue_one(app, session, f"reader{n}@example.org", challenge=challenge, therapist=therapist)
    session.commit()
    result = _send(runner)
    assert result.exit_code != 0
    rows = fresh(session).scalars(select(OutboxMail).order_by(OutboxMail.id)).all()
    assert all(r.sent_at is None for r in rows)
    # the first try timed out; the others were not tried against a hung server
    assert [r.attempts for r in rows] == [1, 0, 0]
    assert "timed out" in rows[0].last_error


def test_a_hung_server_never_holds_up_the_request_and_loses_nothing(make, app, session, silent_server):
    app.config["MAIL_TIMEOUT"] = 60
    editor = make.editor()
    therapist = make.therapist()
    challenge = make.challenge(editor, state="draft")
    client = _login(app, editor)
    sender = app.extensions["curation.mail_sender"]

    response = _post(client, f"/editor/challenges/{challenge.id}/open")
    assert response.status_code == 302
    # The response is here while the sender still waits for the hung server.
    assert sender.is_sending
    row = fresh(session).scalars(select(OutboxMail).filter_by(recipient=therapist.email)).one()
    assert row.sent_at is None

    silent_server.close()  # the server goes away: the waiting connection is reset
    sender.wait()
    row = fresh(session).scalars(select(OutboxMail).filter_by(recipient=therapist.email)).one()
    assert row.sent_at is None and row.attempts == 1 and row.last_error


def test_mail_written_by_a_request_goes_out_soon_after_without_cron(make, app, session, inbox):
    editor = make.editor()
    therapist = make.therapist()
    challenge = make.challenge(editor, state="draft")
    _post(_login(app, editor), f"/editor/challenges/{challenge.id}/open")
    app.extensions["curation.mail_sender"].wait()
    assert [e.rcpt_tos for e in inbox.envelopes] == [[therapist.email]]
    assert fresh(session).scalars(select(OutboxMail)).one().sent_at is not None


def test_with_sending_after_requests_off_only_cron_sends(make, app, session, runner, silent_server):
    app.config["MAIL_SEND_AFTER_REQUEST"] = False
    editor = make.editor()
    make.therapist()
    challenge = make.challenge(editor, state="draft")
    assert _post(_login(app, editor), f"/editor/challenges/{challenge.id}/open").status_code == 302
    silent_server.setblocking(False)
    with pytest.raises(BlockingIOError):
        silent_server.accept()  # nobody knocked at the mail server's door
    assert fresh(session).scalars(select(OutboxMail)).one().attempts == 0


def test_retries_back_off_exponentially_up_to_twelve_hours():
    delays = [delivery.retry_delay(n) for n in range(1, 6)]
    assert delays == [dt.timedelta(minutes=m) for m in (1, 2, 4, 8, 16)]
    assert delivery.retry_delay(40) == dt.timedelta(hours=12)


def test_a_refused_recipient_does_not_hold_up_the_others(app, session, reminder_context):
    challenge, therapist = reminder_context

    class Picky(Inbox):
        async def handle_RCPT(self, server, session_, envelope, address, rcpt_options):
            if address.startswith("nobody"):
                return "550 No such mailbox"
            envelope.rcpt_tos.append(address)
            return "250 OK"

    box = Picky()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
        _queue_one(app, session, "nobody@example.org", challenge=challenge, therapist=therapist)
        _queue_one(app, session, therapist.email, challenge=challenge, therapist=therapist)
        session.commit()
        with app.app_context(), db.new_session(writes=True) as sender:
            report = delivery.send_due(sender, delivery.SmtpSettings.from_config(app.config))
    finally:
        controller.stop()
    assert (report.sent, report.failed) == (1, 1)
    assert [e.rcpt_tos for e in box.envelopes] == [[therapist.email]]
    refused = fresh(session).scalars(select(OutboxMail).filter_by(recipient="nobody@example.org")).one()
    assert refused.sent_at is None and "550" in refused.last_error


# --- no server set: the outbox shows what would have gone out --------------------------------

def test_without_a_mail_server_mail_stays_in_the_outbox_for_editors_to_read(make, app, session, runner):
    editor = make.editor()
    therapist = make.therapist()
    challenge = make.challenge(editor, state="draft", topic="Courage")
    client = _login(app, editor)
    _post(client, f"/editor/challenges/{challenge.id}/open")
    result = _send(runner)
    assert result.exit_code == 0 and "stays in the outbox" in result.output
    page = client.get("/editor/outbox").get_data(as_text=True)
    assert "New challenge: Courage" in page and therapist.email in page and "what would have gone out" in page
    assert fresh(session).scalars(select(OutboxMail)).one().sent_at is None
    assert _login(app, therapist).get("/editor/outbox").status_code == 403


# --- who gets what ----------------------------------------------------------------------------

def test_therapists_who_turned_mail_off_get_no_notifications(make, app, session):
    editor = make.editor()
    keen = make.therapist()
    quiet = make.therapist()
    quiet_client = _login(app, quiet)
    assert _post(quiet_client, "/my/settings", {}).status_code == 302  # the box left unticked
    assert fresh(session).get(User, quiet.id).wants_notifications is False

    challenge = make.challenge(editor, state="draft")
    _post(_login(app, editor), f"/editor/challenges/{challenge.id}/open")
    assert [m.recipient for m in fresh(session).scalars(select(OutboxMail))] == [keen.email]

    answer = make.answer(challenge, quiet)
    _post(_login(app, editor), f"/editor/answers/{answer.id}/review", {"decision": "reject", "note": "Not this time"})
    assert fresh(session).scalar(select(func.count()).select_from(OutboxMail).filter_by(recipient=quiet.email)) == 0


def test_reminders_go_to_those_who_have_not_submitted_once_however_often_cron_runs(make, app, session, runner):
    app.config["BASE_URL"] = "https://blog.practice.example"
    editor = make.editor()
    submitted, drafting, silent, quiet = (make.therapist() for _ in range(4))
    quiet.wants_notifications = False
    session.commit()
    now = dt.datetime.now(dt.timezone.utc)
    soon = make.challenge(editor, topic="Soon", closes_at=now + dt.timedelta(days=2))
    make.challenge(editor, topic="Later", closes_at=now + dt.timedelta(days=10))
    make.challenge(editor, topic="Whenever", closes_at=None)
    make.answer(soon, submitted)
    make.answer(soon, drafting, submit=False)

    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0 and "Queued 2 reminder" in result.output
    reminders = fresh(session).scalars(select(OutboxMail).filter_by(kind="reminder")).all()
    assert sorted(m.recipient for m in reminders) == sorted([drafting.email, silent.email])
    assert all("Soon" in m.subject for m in reminders)
    assert f"https://blog.practice.example/challenges/{soon.id}/answer" in reminders[0].text_body

    again = runner.invoke(args=["send-reminders"])
    assert again.exit_code == 0 and "Queued 0 reminder" in again.output
    assert fresh(session).scalar(select(func.count()).select_from(OutboxMail).filter_by(kind="reminder")) == 2


def test_reminder_days_is_the_editors_setting(make, app, session, runner):
    from curation.practice import services as practice_settings

    editor = make.editor()
    therapist = make.therapist()
    make.challenge(editor, closes_at=dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=6))
    assert "Queued 0" in runner.invoke(args=["send-reminders"]).output
    practice_settings.save(session, {"reminder_days": "7"}, editor)
    session.commit()
    assert "Queued 1" in runner.invoke(args=["send-reminders"]).output
    assert fresh(session).scalars(select(OutboxMail).filter_by(kind="reminder")).one().recipient == therapist.email


# --- the whole edition, through the pages, as the mail server sees it -----------------------

def test_a_whole_edition_sends_each_mail_once_to_the_right_people_with_working_links(make, app, session, runner, inbox):
    app.config["BASE_URL"] = "http://curation.test"
    make.practice()  # the challenge comes through the form, not the factory
    editor = make.editor(name="Elena Park")
    editor_client = _login(app, editor)

    sender = app.extensions["curation.mail_sender"]
    delivered = 0

    def deliver(by_cron=False):
        """What arrived since last asked: sent right after the request, or by cron's send-mail."""
        nonlocal delivered
        sender.wait()
        if by_cron:
            assert _send(runner).exit_code == 0
        new, delivered = inbox.messages[delivered:], len(inbox.envelopes)
        return new

    # 1. Invitation, with the link that creates the account.
    _post(editor_client, "/editor/people", {"email": "maya@example.org", "role": "therapist"})
    [invitation] = deliver()
    assert invitation["To"] == "maya@example.org"
    [link] = [u for u in _links(_body(invitation)) if "/auth/invite/" in u]
    assert f'href="{link}"' in _body(invitation, "html")
    maya = app.test_client()
    page = maya.get(link)
    assert page.status_code == 200
    response = maya.post(link, data={"name": "Maya Okafor", "credentials": "RP", "password": PASSWORD,
                                     "password_confirm": PASSWORD, "csrf_token": csrf(maya, link)})
    assert response.status_code == 302
    maya_user = fresh(session).scalars(select(User).filter_by(email="maya@example.org")).one()

    # 2. Challenge opened, to every active therapist.
    closes = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=2)
    response = _post(editor_client, "/editor/challenges/new", {
        "title": "What Do Therapists Really Think About Empathy?", "topic": "Empathy",
        "question": "In your own words, what is empathy?", "intro": "We asked.", "challengers": "Psychotherapists",
        "outro": "Join us next time.", "closes_at": closes.strftime("%Y-%m-%dT%H:%M"), "word_limit": "",
    })
    challenge_id = int(response.headers["Location"].rsplit("/", 1)[1])
    _post(editor_client, f"/editor/challenges/{challenge_id}/open")
    [opened] = deliver()
    assert opened["To"] == "maya@example.org" and "Empathy" in opened["Subject"]
    desk = f"http://curation.test/challenges/{challenge_id}/answer"
    assert desk in _links(_body(opened))

    # 3. Reminder, from cron, to Maya who has not submitted.
    runner.invoke(args=["send-reminders"])
    runner.invoke(args=["send-reminders"])
    [reminder] = deliver(by_cron=True)
    assert reminder["To"] == "maya@example.org" and desk in _links(_body(reminder))
    assert maya.get(desk).status_code == 200

    # 4. Reviewed, with the note: changes requested.
    body = "Empathy is staying with someone. It is slow and it is kind. It takes practice."
    _post(maya, f"/challenges/{challenge_id}/answer", {"body": body, "credit": "full", "consent": "y", "submit": "Submit"})
    answer_id = fresh(session).scalars(select(Answer)).one().id
    _post(editor_client, f"/editor/answers/{answer_id}/review",
          {"decision": "request_changes", "note": "Could you say what it asks of you?"})
    [reviewed] = deliver()
    assert reviewed["To"] == "maya@example.org" and "changes requested" in reviewed["Subject"]
    assert "Could you say what it asks of you?" in _body(reviewed)
    assert "Could you say what it asks of you?" in _body(reviewed, "html")

    # 5. Excerpt awaiting consent: approved with an excerpt.
    body += " It asks me to slow down."
    _post(maya, f"/challenges/{challenge_id}/answer", {"body": body, "credit": "full", "consent": "y", "submit": "Submit"})
    excerpt = "Empathy is staying with someone. … It asks me to slow down."
    _post(editor_client, f"/editor/answers/{answer_id}/review", {"decision": "approve", "note": "Thank you", "excerpt": excerpt})
    [asking] = deliver()
    assert asking["To"] == "maya@example.org" and "excerpt" in asking["Subject"]
    assert excerpt in _body(asking)
    assert desk in _links(_body(asking))

    # The author accepts; the editor hears of it.
    _post(maya, f"/challenges/{challenge_id}/answer/excerpt", {"decision": "accept"})
    [decided] = deliver()
    assert decided["To"] == editor.email and "accepted" in decided["Subject"]

    # 6. Published: the feature's link and the author's own quote card.
    _post(editor_client, f"/editor/challenges/{challenge_id}/close")
    response = _post(editor_client, f"/editor/challenges/{challenge_id}/publish", publish_form())
    assert response.status_code == 302
    slug = fresh(session).get(Challenge, challenge_id).slug
    [published] = deliver()
    assert published["To"] == "maya@example.org"
    links = _links(_body(published))
    assert f"http://curation.test/features/{slug}" in links
    assert f"http://curation.test/features/{slug}/quotes/1.png" in links
    anonymous = app.test_client()
    assert "It asks me to slow down." in anonymous.get(f"http://curation.test/features/{slug}").get_data(as_text=True)
    card = anonymous.get(f"http://curation.test/features/{slug}/quotes/1.png")
    assert card.status_code == 200 and card.mimetype == "image/png"

    # Nothing left, nothing twice.
    assert deliver(by_cron=True) == []
    rows = fresh(session).scalars(select(OutboxMail)).all()
    assert len(rows) == len(inbox.envelopes) == 7
    assert all(r.sent_at is not None for r in rows)
    assert len({m["Message-ID"] for m in inbox.messages}) == 7
    assert maya_user.email == "maya@example.org"
