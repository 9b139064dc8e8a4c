"""`run-jobs`, `publish-due` and `export-static`: meant for cron (the first
two) or for a one-off copy of the site (the last); all safe to run again."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from curation import db
from curation.cron import cron_job
from curation.publishing import jobs, scheduling, static_files


def _app() -> Flask:
    # the application itself, not the proxy, for work handed to other code
    return current_app._get_current_object()  # type: ignore[attr-defined]


@click.command("run-jobs")
@with_appcontext
@cron_job("run-jobs")
def run_jobs() -> None:
    """Draw the cards, write the static files and send the WordPress copies still due."""
    report = jobs.run_pending(_app())
    click.echo(f"Ran {report.done} publishing job(s); {report.failed} failed and will be tried again later.")
    if report.taken_by_another_run:
        click.echo(f"{report.taken_by_another_run} job(s) were being run by another process.")
    for problem in report.problems:
        click.echo(f"  {problem}")


@click.command("publish-due")
@with_appcontext
@cron_job("publish-due")
def publish_due() -> None:
    """Publish the challenges whose scheduled time has come (cron, every minute)."""
    app = _app()
    with db.new_session(writes=True) as session:
        report = scheduling.publish_due(session)
    for title in report.published:
        click.echo(f"Published “{title}”.")
    for held in report.held:
        click.echo(f"Not published: {held} (the editors were told).")
    if report.taken_by_another_run:
        click.echo(f"{report.taken_by_another_run} were being published by another run.")
    if not (report.published or report.held or report.taken_by_another_run):
        click.echo("Nothing is due.")
    if report.published:
        jobs.run_pending(app)  # the cards and copies now, rather than at cron's next `run-jobs`


@click.command("export-static")
@with_appcontext
@cron_job("export-static", wait=True)
@click.argument("directory", type=click.Path(file_okay=False, resolve_path=True))
def export_static(directory: str) -> None:
    """Write every public page, output and card to DIRECTORY as plain files (with .gz copies)."""
    # writes: a card not drawn yet is drawn and stored on the way
    with db.new_session(writes=True) as session:
        written = static_files.export_all(session, directory)
        session.commit()
    click.echo(f"Wrote {written} feature(s), the archive and the feed to {Path(directory)}.")
