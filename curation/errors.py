"""Domain errors raised by services, and the one place that turns them into pages."""
from __future__ import annotations

from flask import Flask, Response, current_app, g, render_template, request
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from werkzeug.exceptions import SecurityError

from curation import db, rescue


class DomainError(Exception):
    status = 400

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field  # the form field the message belongs beside, if any


class Invalid(DomainError):
    status = 400


class NotAllowed(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409


class NotFound(DomainError):
    status = 404


def show_beside_field(form, error: DomainError, fallback: str) -> int:
    """A refusal a view shows on its own form, beside the field it concerns
    (`error.field`, else `fallback`); what the request did is rolled back.
    Returns the page's status. Every other refusal reaches the one handler below."""
    db.session.rollback()
    field = form[error.field] if error.field and error.field in form else form[fallback]
    field.errors = [*field.errors, error.message]
    return error.status


DATABASE_AWAY = (
    "The database is not answering right now. Nothing was changed; please try again in a minute."
)


def register_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        return _page(error.status, error.message)

    for status, message in {
        400: "That request could not be understood.",
        403: "You do not have access to that page.",
        404: "There is nothing here.",
        405: "That action is not available here.",
        429: "Too many attempts. Please wait a minute and try again.",
    }.items():
        app.register_error_handler(status, lambda e, s=status, m=message: _page(s, m))

    @app.errorhandler(SecurityError)
    def untrusted_host(_error):
        # Answered before anything that builds a URL: without a trusted host
        # there is no URL adapter, so no template that links anywhere can render.
        return Response("This site does not answer to that host name.\n", status=400, mimetype="text/plain")

    @app.errorhandler(413)
    def too_large(_error):
        return _page(
            413,
            "What you sent was too large to receive, so it was not saved. If you were "
            "writing an answer, your browser still keeps a copy on the answer page; "
            "shorten it and send it again.",
        )

    @app.errorhandler(IntegrityError)
    def changed_at_the_same_moment(_error):
        # a uniqueness race (two people, or two clicks, doing the same at once):
        # the database is fine, the request lost the race
        db.session.rollback()
        return _page(
            409,
            "Someone else changed the same thing at the same moment, so this was not saved. "
            "Reload the page to see what is there now, then try again.",
        )

    @app.errorhandler(DBAPIError)
    def database_away(error: DBAPIError):
        if not (isinstance(error, (OperationalError, InterfaceError)) or error.connection_invalidated):
            raise error  # a fault of ours, not an outage: a 500, logged
        db.session.rollback()
        # one line for whoever runs the site: which request, and what the database said
        current_app.logger.warning("503 on %s %s: the database said %s", request.method, request.path,
                                   str(getattr(error, "orig", error)).splitlines()[0][:200])
        # Who is logged in is asked of the database, which is away: the page
        # is shown as to a visitor. base.html reads this flag before
        # current_user, and the page is rendered without the context
        # processors, one of which (Flask-Login's) would look the person up.
        g.database_away = True
        if request.method == "POST" and request.form and request.accept_mimetypes.best != "application/json":
            # what was typed comes back, ready to send again
            return rescue.resend_page(
                request.path,
                rescue.fields_worth_keeping(request.form),
                "The database is not answering right now, so nothing was saved. Everything "
                "you wrote is below: send it again in a minute.",
                status=503,
                render=_render_as_visitor,
            )
        return _page(503, DATABASE_AWAY, render=_render_as_visitor)


def _render_as_visitor(template: str, **context) -> str:
    return current_app.jinja_env.get_template(template).render(**context)


def _page(status: int, message: str, render=render_template):
    if request.accept_mimetypes.best == "application/json":
        return {"error": message}, status
    return render("error.html", status=status, message=message), status
