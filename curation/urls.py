"""Absolute links, built one way: from the site's address, never from the Host
a request happened to carry (which anyone can forge) and never by faking a
request.

The address is CURATION_BASE_URL when set; otherwise the one the first editor
confirmed at first-run setup (the site setting "base_url"). The configuration
wins over the setting. Without either (a fresh checkout), links name Flask's
SERVER_NAME if set, else the address the request came to, or
http://localhost:5000 outside a request.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.routing import IntegerConverter

from curation import db
from curation.errors import Invalid
from curation.models import SiteSetting

BASE_URL_SETTING = "base_url"
DEVELOPMENT_ADDRESS = "http://localhost:5000"


def normalise_base_url(value: str | None) -> str | None:
    """http(s)://host[:port][/path] without a trailing slash, or None if `value`
    is not such an address."""
    value = (value or "").strip()
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        return None
    if parts.username or parts.password or any(c.isspace() for c in value):
        return None
    return f"{parts.scheme}://{parts.netloc.lower()}{parts.path.rstrip('/')}"


# The smallest integer column of the databases we run on (PostgreSQL's
# integer): a larger id in a URL names nothing, so it is a 404 before any query
# rather than an overflow (SQLite) or a failed statement (PostgreSQL).
LARGEST_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    # more digits than any id has: no route matches, so every route says 404
    regex = r"\d{1,10}"

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", LARGEST_ID)
        super().__init__(url_map, *args, **kwargs)


def configure(app: Flask) -> None:
    """Every `<int:…>` in a route stays within LARGEST_ID; SERVER_NAME,
    PREFERRED_URL_SCHEME and APPLICATION_ROOT follow BASE_URL, so Flask's own
    url_for builds the same links outside a request; TRUSTED_HOSTS may come as
    "a.example, b.example"."""
    app.url_map.converters["int"] = IdConverter
    base = app.config.get("BASE_URL")
    if base:
        normalised = normalise_base_url(base)
        if normalised is None:
            raise ValueError(f"CURATION_BASE_URL is not an http(s) address: {base!r}")
        parts = urlsplit(normalised)
        app.config.update(
            BASE_URL=normalised,
            SERVER_NAME=parts.netloc,
            PREFERRED_URL_SCHEME=parts.scheme,
            APPLICATION_ROOT=parts.path or "/",
        )
    hosts = app.config.get("TRUSTED_HOSTS")
    if isinstance(hosts, str):
        hosts = [h.strip() for h in hosts.split(",") if h.strip()]
    if hosts:
        # the site's own address is always trusted
        own_host = urlsplit(f"//{app.config.get('SERVER_NAME') or ''}").hostname
        if own_host:
            hosts.append(own_host)
        app.config["TRUSTED_HOSTS"] = sorted(set(hosts))
    else:
        app.config["TRUSTED_HOSTS"] = None


def _stored_base_url() -> str | None:
    try:
        value = db.session.scalar(select(SiteSetting.value).where(SiteSetting.key == BASE_URL_SETTING))
    except SQLAlchemyError:
        # before the schema exists (init-db) or while the database is away:
        # links fall back as on a fresh checkout
        db.session.rollback()
        return None
    return normalise_base_url(value)


def base_url() -> str:
    configured = current_app.config.get("BASE_URL")
    if configured:
        return configured
    if "curation_base_url" not in g:
        g.curation_base_url = _stored_base_url()
    if g.curation_base_url:
        return g.curation_base_url
    server_name = current_app.config.get("SERVER_NAME")
    if server_name:  # Flask's own setting, made without CURATION_BASE_URL
        root = (current_app.config.get("APPLICATION_ROOT") or "/").rstrip("/")
        return f"{current_app.config.get('PREFERRED_URL_SCHEME') or 'http'}://{server_name}{root}"
    if has_request_context():
        return request.url_root.rstrip("/")
    return DEVELOPMENT_ADDRESS


def record_base_url(session, value: str) -> None:
    """Keep the address the first editor confirmed (flushed, not committed)."""
    normalised = normalise_base_url(value)
    if normalised is None:
        raise Invalid("Give the site's address as it is typed in a browser, e.g. https://curation.example.org.",
                      field="base_url")
    row = session.get(SiteSetting, BASE_URL_SETTING)
    if row is None:
        session.add(SiteSetting(key=BASE_URL_SETTING, value=normalised))
    else:
        row.value = normalised
    session.flush()
    g.pop("curation_base_url", None)


def external_url(endpoint: str, **values) -> str:
    """An absolute link for mails, feeds, snapshots and the CLI."""
    parts = urlsplit(base_url())
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme)
    current_app.inject_url_defaults(endpoint, values)
    return adapter.build(endpoint, values, force_external=True)
