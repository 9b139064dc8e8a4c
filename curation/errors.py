"""Domain errors raised by services, and the one place that turns them into pages."""
from __future__ import annotations

from flask import Flask, current_app, render_template, request
from sqlalchemy.exc import DBAPIError, OperationalError

from curation import db
from curation.accounts import rescue


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


def register(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        return _page(error.status, error.message)

    for status, message in {
        400: "That request could not be understood.",
        403: "You do not have access to that page.",
        404: "There is nothing here.",
        405: "That action is not available here.",
        429: "Too many attempts. Please wait a minute and try again.",
    }.items():
        app.register_error_handler(status, lambda e, s=status, m=message: _page(s, m))

    @app.errorhandler(413)
    def too_large(_error):
        return _page(
            413,
            "What you sent was too large to receive, so it was not saved. If you were "
            "writing an answer, your browser still keeps a copy on the answer page; "
            "shorten it and send it again.",
        )

    @app.errorhandler(OperationalError)
    @app.errorhandler(DBAPIError)
    def database_away(_error):
        db.session.rollback()
        # Rendering a page asks Flask-Login who is logged in, which needs the
        # database: show this page as to a visitor instead, or it becomes a 500.
        # (Flask-Login has no public way to set the anonymous user for one request.)
        current_app.login_manager._update_request_context_with_user(None)
        if request.method == "POST" and request.form and request.accept_mimetypes.best != "application/json":
            # what was typed comes back, ready to send again
            return rescue.resend_page(
                request.path,
                rescue.fields_worth_keeping(request.form),
                "The database is not answering right now, so nothing was saved. Everything "
                "you wrote is below: send it again in a minute.",
                status=503,
            )
        return _page(
            503,
            "The database is not answering right now. Nothing was changed; "
            "please try again in a minute.",
        )


def _page(status: int, message: str):
    if request.accept_mimetypes.best == "application/json":
        return {"error": message}, status
    return render_template("error.html", status=status, message=message), status
