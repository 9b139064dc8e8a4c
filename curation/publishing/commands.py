"""`run-jobs`, `publish-due` and `export-static`: meant for cron (the first
two) or for a one-off copy of the site (the last); all safe to run again."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from curation.publishing import jobs


@click.command("run-jobs")
@with_appcontext
def run_jobs() -> None:
    """Draw the cards, write the static files and send the WordPress copies still due."""
    report = jobs.run_pending(current_app._get_current_object())
    click.echo(f"Ran {report.done} publishing job(s); {report.failed} failed and will be tried again later.")
    if report.taken_by_another_run:
        click.echo(f"{report.taken_by_another_run} job(s) were being run by another process.")
    for problem in report.problems:
        click.echo(f"  {problem}")
