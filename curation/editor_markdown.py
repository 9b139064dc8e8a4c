"""What editors type in the longer fields (intro, outro, the sections, the
booking and closing texts) is CommonMark. It becomes HTML once, when saved,
through markdown-it (raw HTML off, no autolinks) and then the one sanitizer.

Rows saved before Markdown hold HTML-ish text ("<p>…</p>", "<em>"): read as
Markdown with raw HTML off, their tags would print literally. Such text is
recognised by its allowed tags and cleaned as HTML, as it always was, so an
old challenge looks the same until the editor rewrites it.
"""
from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from curation.security import ALLOWED_TAGS, clean

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

_LEGACY_TAG = re.compile(r"</?(?:" + "|".join(sorted(ALLOWED_TAGS)) + r")\b[^<>]*>", re.IGNORECASE)

CHEAT_SHEET = "Markdown: a blank line starts a paragraph · *emphasis* · **strong** · [words](https://…) · - list item"


def is_legacy_html(text: str) -> bool:
    return bool(_LEGACY_TAG.search(text or ""))


def to_html(text: str, *, legacy_html: bool = True) -> str:
    """Sanitized HTML of the editor's text; empty text gives "". Texts that were
    never HTML (the settings' booking and closing texts were plain text) pass
    `legacy_html=False`, so tags typed there print as typed."""
    if not (text or "").strip():
        return ""
    if legacy_html and is_legacy_html(text):
        return clean(text)
    return clean(_parser().render(text)).strip()


@functools.cache
def _parser() -> MarkdownIt:
    """Made on first use: text becomes HTML when saved, which most of the
    processes that start the app never do."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "linkify": False})


def markdown_source(text: str, *, legacy_html: bool = True) -> str:
    """The editor's Markdown as written, for the export; "" for legacy HTML (the export then uses its words)."""
    return "" if legacy_html and is_legacy_html(text) else (text or "").strip()
