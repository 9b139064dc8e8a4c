"""Commands under `flask --app curation`. Each commits once, like a request.

A command opens its session with `db.new_session(writes=...)`, saying whether
it may write; one that cron runs is also a `@cron_job` (curation/jobs.py).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import tempfile
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

from curation import db
from curation.accounts import services as accounts
from curation.cron import cron_job
from curation.errors import DomainError
from curation.models import Role
from curation.urls import external_url


def register_commands(app: Flask) -> None:
    from curation.mail import commands as mail_commands
    from curation.publishing import commands as publishing_commands

    for command in (
        init_db, create_user, invite, demo, backup, purge, mail_commands.send_mail, mail_commands.send_reminders,
        publishing_commands.run_jobs, publishing_commands.publish_due, publishing_commands.export_static,
    ):
        app.cli.add_command(command)


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create the schema, or upgrade it to the newest revision. Safe to run again."""
    from curation import schema

    schema.upgrade()
    click.echo("The database is ready.")


@click.command("create-user")
@with_appcontext
@click.argument("email")
@click.option("--name", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--credentials", default="")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_user(email: str, name: str, role: str, credentials: str, password: str) -> None:
    """Create an account (the first editor, for instance)."""
    with db.new_session(writes=True) as session:
        try:
            user = accounts.create_user(
                session, email=email, name=name, role=Role(role), credentials=credentials, password=password
            )
        except DomainError as problem:
            raise click.ClickException(problem.message) from None
        session.commit()
        click.echo(f"Created {user.role} {user.email}.")


@click.command("invite")
@with_appcontext
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.THERAPIST.value)
def invite(email: str, role: str) -> None:
    """Make an invitation; the last line printed is its URL."""
    from curation.mail import services as mail

    with db.new_session(writes=True) as session:
        try:
            invitation, token = accounts.invite(session, email=email, role=Role(role), invited_by=None)
        except DomainError as problem:
            raise click.ClickException(problem.message) from None
        url = external_url("accounts.accept_invitation", token=token)
        mail.queue_invitation(session, invitation, url)
        session.commit()
    click.echo(f"Invitation for {email} as {role}, valid for 14 days:")
    click.echo(url)


@click.command("demo")
@with_appcontext
def demo() -> None:
    """Fill an empty database with a sample edition and print the logins."""
    from curation import demo as sample

    with db.new_session(writes=True) as session:
        if accounts.has_users(session):
            raise click.ClickException("The database already has accounts; the demo fills only an empty one.")
        logins = sample.load(session, now=dt.datetime.now(dt.timezone.utc))
        session.commit()
    click.echo("Demo edition loaded. Log in at /auth/login with:")
    for email, password, role in logins:
        click.echo(f"  {role:<9} {email}  password: {password}")


@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, writable=True, resolve_path=True))
def backup(path: str) -> None:
    """Write a consistent copy of the SQLite database to PATH, while the app serves."""
    url = db.engine().url
    if url.get_backend_name() != "sqlite":
        raise click.ClickException(
            f"The database is {url.get_backend_name()}, not SQLite: back it up with its own tools, "
            "e.g. `pg_dump --format=custom --file=curation.dump DBNAME` (restore with pg_restore)."
        )
    if not url.database or url.database == ":memory:":
        raise click.ClickException("The database lives in memory only; there is no file to back up.")
    source_path = Path(url.database).resolve()
    target = Path(path)
    if target == source_path:
        raise click.ClickException("PATH is the live database itself; choose another file.")
    if not target.parent.is_dir():
        raise click.ClickException(f"There is no folder {target.parent}; create it first.")
    # Written beside PATH and renamed into place: PATH never holds half a backup.
    handle, partial = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    os.close(handle)
    try:
        source = sqlite3.connect(source_path, timeout=30)
        copy = sqlite3.connect(partial)
        try:
            # One step (pages=-1): a single read snapshot, so writers carry on
            # under WAL and the copy is consistent as of one moment.
            source.backup(copy)
            # One self-contained file, whatever journal mode the live database uses.
            copy.execute("PRAGMA journal_mode=DELETE")
            if copy.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise click.ClickException("The copy failed its integrity check; PATH was not written.")
        finally:
            copy.close()
            source.close()
        os.replace(partial, target)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
    with contextlib.closing(sqlite3.connect(target)) as copied:
        answers = copied.execute("SELECT count(*) FROM answers").fetchone()[0]
    click.echo(f"Backed up {source_path} to {target} ({answers} answers).")


@click.command("purge")
@with_appcontext
@cron_job("purge")
def purge() -> None:
    """Delete what the retention settings say is due (cron, daily; safe to run twice)."""
    from flask import current_app

    from curation import retention

    with db.new_session(writes=True) as session:
        counts = retention.purge(
            session, retention.Periods.from_config(current_app.config), dt.datetime.now(dt.timezone.utc)
        )
        session.commit()
    click.echo("Purged: " + ", ".join(f"{count} {kind}" for kind, count in counts.items()) + ".")
