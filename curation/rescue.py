"""Nothing typed is lost when a login or a CSRF token ran out mid-form.

Both failures happen before any view runs, so the view cannot keep the text.
Here the posted fields come back in a form with a fresh token (after a new
login when needed) and the person sends them again with one click.

The login form belongs to accounts, which hands its class over when it sets up
logging in (`app.extensions["curation.login_form"]`), so this module needs no
domain package.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.datastructures import MultiDict

CARRY_PREFIX = "carry-"
# Never echoed back into a page.
_NOT_CARRIED = {"csrf_token", "password", "password_confirm", "current_password"}


def fields_worth_keeping(form: MultiDict) -> list[tuple[str, str]]:
    return [(k, v) for k, v in form.items(multi=True) if k not in _NOT_CARRIED and not k.startswith(CARRY_PREFIX)]


def carried_fields(form: MultiDict) -> list[tuple[str, str]]:
    """Fields a login form carries for the page the person was sending."""
    return [(k[len(CARRY_PREFIX):], v) for k, v in form.items(multi=True) if k.startswith(CARRY_PREFIX)]


def resend_page(target: str, fields: list[tuple[str, str]], message: str, status: int = 200, render=render_template):
    long_fields = [(k, v) for k, v in fields if "\n" in v or len(v) > 80]
    short_fields = [(k, v) for k, v in fields if (k, v) not in long_fields]
    return (
        render(
            "rescue.html", target=target, long_fields=long_fields, short_fields=short_fields, message=message
        ),
        status,
    )


def unauthorized():
    """Not logged in: a GET goes to the login page; a POST keeps what was sent."""
    if request.accept_mimetypes.best == "application/json":
        return {"error": "Your session has ended. Please log in again; your text is kept in this browser."}, 401
    if request.method == "POST" and request.form:
        fields = fields_worth_keeping(request.form)
        return (
            render_template(
                "accounts/login.html",
                form=_login_form(),
                next=request.path,
                carried=fields,
                session_ended=True,
            ),
            401,
        )
    flash("Please log in to continue.")
    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))


def _login_form():
    return current_app.extensions["curation.login_form"](formdata=None)


def _sent_from_another_site() -> bool:
    """Browsers name the site a form was sent from (Origin, else Referer).
    Without either nothing is known; a foreign one means another site sent it."""
    source = request.headers.get("Origin") or request.headers.get("Referer")
    if not source:
        return False
    parts = urlsplit(source)
    return (parts.scheme, parts.netloc) != (request.scheme, request.host)


def register_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_failed(error: CSRFError):
        if request.accept_mimetypes.best == "application/json":
            return {"error": "This page is out of date. Reload it; your text is kept in this browser."}, 400
        if _sent_from_another_site():
            # Offering a resend would let another site prepare a form that a
            # person then sends with a fresh token by one click.
            return render_template("error.html", status=400, message=(
                "This form was sent from another website, so it was not accepted. "
                "If you meant to do this, go to the page on this site and do it there.")), 400
        fields = fields_worth_keeping(request.form)
        if not current_user.is_authenticated and request.endpoint not in ("accounts.login", "accounts.first_editor", "accounts.accept_invitation"):
            return (
                render_template(
                    "accounts/login.html", form=_login_form(), next=request.path, carried=fields, session_ended=True
                ),
                400,
            )
        return resend_page(
            request.path,
            fields,
            "This form had been open too long, so for your safety it was not sent. "
            "Nothing is lost: everything you wrote is below. Check it and send it again.",
            status=400,
        )
