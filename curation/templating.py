"""Filters and globals the templates use. Formatting only, no queries."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from flask_wtf import FlaskForm
from markupsafe import Markup, escape

from curation.excerpts import count_words
from curation.security import paragraphs
from curation.urls import external_url


def local_time(value: dt.datetime | None, fmt: str = "%-d %B %Y, %H:%M") -> str:
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).strftime(fmt)


def label(state: str) -> str:
    """A state as people say it: changes_requested → changes requested."""
    return str(state).replace("_", " ")


def number(value: int) -> str:
    """A count as the editor reads it: 10000 → 10,000."""
    return f"{value:,}"


def struck(spans: list[tuple[str, bool]], kept: str = "<mark>", cut: str = "<del>") -> Markup:
    """An answer as (text, kept) runs in HTML, each kept run in the `kept` tag
    and each cut one in the `cut` tag (tags the template writes, so a mail's
    inline style stays in its template), joined at once: an excerpt at the size
    limit has thousands of runs."""
    ends = {tag: f"</{tag[1:].split()[0].rstrip('>')}>" if tag else "" for tag in (kept, cut)}
    # every run of the answer is escaped; only the tags, which templates write, stay markup
    return Markup("".join(  # nosec B704
        f"{kept}{escape(text)}{ends[kept]}" if is_kept else f"{cut}{escape(text)}{ends[cut]}"
        for text, is_kept in spans
    ))


def register_helpers(app: Flask) -> None:
    app.jinja_env.filters["paragraphs"] = paragraphs
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["label"] = label
    app.jinja_env.filters["words"] = count_words
    app.jinja_env.filters["number"] = number
    app.jinja_env.filters["struck"] = struck
    app.jinja_env.globals["ButtonForm"] = FlaskForm
    app.jinja_env.globals["external_url"] = external_url
    app.jinja_env.globals["timezone_name"] = lambda: current_app.config["TIMEZONE"]
