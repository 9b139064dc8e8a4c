"""`send-mail` and `send-reminders`: meant for cron, safe to run again."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from curation import db
from curation.cron import cron_job
from curation.db import utcnow
from curation.mail import delivery
from curation.mail import services as mail


@click.command("send-mail")
@with_appcontext
@click.option("--limit", default=delivery.BATCH, show_default=True, help="Most mails to send in this run.")
@cron_job("send-mail")
def send_mail(limit: int) -> None:
    """Send what waits in the outbox; what fails is retried later, with backoff."""
    settings = delivery.SmtpSettings.from_config(current_app.config)
    if settings is None:
        click.echo("No mail server is set (CURATION_MAIL_SERVER), so mail stays in the outbox for editors to read.")
        return
    with db.new_session(writes=True) as session:
        report = delivery.send_due(session, settings, limit=limit)
    click.echo(f"Sent {report.sent} mail(s); {report.failed} failed and will be tried again later.")
    if report.taken_by_another_run:
        click.echo(f"{report.taken_by_another_run} mail(s) were being sent by another run.")
    if report.server_problem:
        # non-zero, so cron's own mail or monitoring says the server is unreachable
        raise click.ClickException(f"The mail server did not take the mail: {report.server_problem}")


@click.command("send-reminders")
@with_appcontext
@cron_job("send-reminders")
def send_reminders() -> None:
    """Queue deadline reminders for therapists who have not submitted yet."""
    # the mails' links come from the site's address (curation.urls), no request needed
    with db.new_session(writes=True) as session:
        queued = mail.queue_reminders(session, utcnow())
        session.commit()
    click.echo(f"Queued {queued} reminder(s). `send-mail` sends them.")
