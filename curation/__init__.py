"""Curation: the submission and curation tool behind "Therapists Being Human".

`create_app()` reads as a table of contents; each step is a few lines.
"""
from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from flask import Flask, has_app_context, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    # templates/ and static/ sit beside the package (a checkout or `pip install -e .`)
    app = _Curation(
        __name__,
        instance_path=str(ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    configure(app, test_config)
    # first: the guards run before the hooks the extensions add (CSRF's among them)
    register_request_guards(app)
    register_extensions(app)
    register_blueprints(app)
    register_response_hooks(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    return app


class _Curation(Flask):
    def url_for(self, endpoint: str, *, _anchor: str | None = None, _method: str | None = None,
                _scheme: str | None = None, _external: bool | None = None, **values: Any) -> str:
        # Outside a request (CLI, cron, the sender thread) and without SERVER_NAME,
        # links are built under the site's own address, so a template's url_for
        # works there as in a page.
        if not has_request_context() and has_app_context() and not self.config.get("SERVER_NAME"):
            from curation.urls import external_url

            link = external_url(endpoint, **values)
            return f"{link}#{_anchor}" if _anchor else link
        return super().url_for(endpoint, _anchor=_anchor, _method=_method, _scheme=_scheme,
                               _external=_external, **values)


def configure(app: Flask, test_config: dict[str, Any] | None) -> None:
    from curation import urls

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(
        DATABASE_URL=f"sqlite:///{Path(app.instance_path) / 'curation.db'}",
        TIMEZONE="UTC",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=False,  # also Secure whenever a request came over HTTPS
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=True,
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        MAX_FORM_MEMORY_SIZE=1024 * 1024,
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI="memory://",
        # A Redis outage must not turn login into a 500: count in memory meanwhile.
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,
        RATELIMIT_SWALLOW_ERRORS=True,
        RATELIMIT_HEADERS_ENABLED=True,
        LOGIN_RATE_LIMIT="10 per minute; 100 per hour",
        PROXY_COUNT=0,  # reverse proxies in front of the app whose X-Forwarded-* to trust
        MAIL_SERVER=None,
        MAIL_PORT=25,
        MAIL_USERNAME=None,
        MAIL_PASSWORD=None,
        MAIL_USE_TLS=False,
        MAIL_DEFAULT_SENDER="curation@localhost",
        # the site's address for every absolute link (mails, feed, snapshots,
        # CLI); SERVER_NAME and friends are derived from it
        BASE_URL=None,
        TRUSTED_HOSTS=None,  # hosts to answer; any other Host gets a plain 400
    )
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("CURATION")
    if test_config:
        app.config.from_mapping(test_config)
    urls.configure(app)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))
    app.session_interface = _SessionCookies()
    if app.config["PROXY_COUNT"]:
        count = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)  # type: ignore[method-assign]


def _instance_secret_key(instance: Path) -> str:
    """Made once per installation and kept in instance/, never in the source."""
    key_file = instance / "secret_key"
    if not key_file.exists():
        try:
            with open(key_file, "x", encoding="ascii") as handle:
                handle.write(secrets.token_hex(32))
            key_file.chmod(0o600)
        except FileExistsError:
            pass  # another worker made it first
    return key_file.read_text(encoding="ascii").strip()


class _SessionCookies(SecureCookieSessionInterface):
    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def register_request_guards(app: Flask) -> None:
    from curation.security import refuse_oversized_fields, refuse_untrusted_host

    app.before_request(refuse_untrusted_host)
    # before CSRF, which reads the form first
    app.before_request(refuse_oversized_fields)


def register_extensions(app: Flask) -> None:
    from curation import db
    from curation.accounts.views import init_login
    from curation.extensions import csrf, limiter
    from curation.mail import background as mail_sender

    db.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    init_login(app)
    mail_sender.init_app(app)


def register_blueprints(app: Flask) -> None:
    from curation.accounts.views import bp as accounts
    from curation.answers.views import bp as answers
    from curation.audit.views import bp as audit
    from curation.challenges.views import bp as challenges
    from curation.health import bp as health
    from curation.mail.views import bp as mail
    from curation.practice.views import bp as practice
    from curation.privacy.views import bp as privacy
    from curation.publishing.views import bp as publishing
    from curation.publishing.views import public
    from curation.review.views import bp as review
    from curation.suggestions.views import bp as suggestions
    from curation.therapists.views import bp as therapists

    for blueprint in (health, public, accounts, challenges, answers, review, publishing, practice, audit, mail,
                      privacy, suggestions, therapists):
        app.register_blueprint(blueprint)


def register_response_hooks(app: Flask) -> None:
    from curation import security
    from curation.mail import background as mail_sender

    # Flask runs these last first: the headers are set, then the sender is woken.
    app.after_request(mail_sender.wake_after_commit)
    app.after_request(security.add_headers)


def register_errorhandlers(app: Flask) -> None:
    from curation import errors, rescue

    errors.register_handlers(app)
    rescue.register_handlers(app)


def register_template_helpers(app: Flask) -> None:
    from curation import templating

    templating.register_helpers(app)


def register_commands(app: Flask) -> None:
    from curation import cli

    cli.register_commands(app)
