"""The Markdown export of a compiled feature, for a person to edit and paste.

What the editor wrote in Markdown (intro, sections, outro, booking and
closing texts) is carried as written. Every other text (titles, quotes,
credits) is escaped only where a character could start markup, so an answer
can never become a link, an image or raw HTML in the practice's CMS, and a
full stop stays a full stop.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from curation.security import clean

if TYPE_CHECKING:
    from curation.publishing.compiling import FeatureData

# Anywhere in a line: emphasis, code, link brackets, raw HTML and autolinks, escapes, entities.
_INLINE = re.compile(r"([\\`*_\[\]<])|&(?=#?[0-9A-Za-z]+;)")
# At the start of a line: headings, list items, block quotes, thematic breaks and setext underlines.
_LINE_START = re.compile(r"^(#{1,6}(?=\s|$)|[-+](?=\s|$)|>|=+\s*$|-+\s*$)")
_ORDERED_ITEM = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")
# Raw HTML in the editor's own Markdown prints as text on the page (html is off), so it must in the export too.
_RAW_TAG = re.compile(r"<(?=[A-Za-z/!?])(?![A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*>)(?![^\s<>@]+@[^\s<>@]+>)")


def escape_markdown(text: str) -> str:
    lines = []
    for line in text.split("\n"):
        line = _INLINE.sub(lambda m: "\\" + (m.group(1) or "&"), line.strip())
        line = _LINE_START.sub(lambda m: "\\" + m.group(0), line)
        lines.append(_ORDERED_ITEM.sub(r"\1\\\2", line))
    return "\n".join(lines)


def editor_markdown(text: str) -> str:
    """The editor's Markdown as written, with raw HTML tags kept as the text they are on the page."""
    return _RAW_TAG.sub(r"\\<", text.strip())


def _html_to_text(html: str) -> str:
    """Text saved as HTML before Markdown: its words only."""
    with_breaks = re.sub(r"</p>|<br\s*/?>", "\n\n", html)
    return clean(with_breaks, tags=frozenset()).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")


def _editor_text(markdown: str, html: str) -> str:
    if markdown:
        return editor_markdown(markdown)
    return _paragraphs(_html_to_text(html).strip())


def _paragraphs(text: str) -> str:
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]
    return "\n\n".join(escape_markdown(b).replace("\n", "  \n") for b in blocks)


def _quoted(text: str) -> str:
    return "\n>\n".join("> " + line for line in _paragraphs(text).split("\n\n"))


def _link(label: str, url: str) -> str:
    return f"[{escape_markdown(label)}](<{url.replace('>', '%3E').replace('<', '%3C').replace(' ', '%20')}>)"


def feature_markdown(data: FeatureData) -> str:
    parts = [f"# {escape_markdown(data['title'])}"]
    intro = _editor_text(data.get("intro_md", ""), data["intro_html"])
    if intro:
        parts.append(intro)
    parts.append("## Today's Challenge")
    parts.append(
        "\n".join(
            [
                f"- **The Challenge:** {escape_markdown(data['topic'])}",
                f"- **The Challengers:** {escape_markdown(data['challengers'])}",
                f"- **The Results:** {escape_markdown(data['results'])}",
            ]
        )
    )
    for heading, key in (("The Challenge", "challenge_text"), ("The Challengers", "challengers_text")):
        body = _editor_text(str(data.get(f"{key}_md", "")), str(data.get(f"{key}_html", "")))
        if body:
            parts += [f"## {heading}", body]
    parts.append(_quoted(data["question"]))
    if data.get("results_title"):
        parts.append(f"## {escape_markdown(data['results_title'])}")
    for quote in data["quotes"]:
        parts.append(_quoted(quote["text"]))
        parts.append(f"— *{escape_markdown(quote['credit_line'])}*")
    outro = _editor_text(data.get("outro_md", ""), data["outro_html"])
    if outro:
        parts.append(outro)
    if data.get("crisis_resources"):
        parts.append(escape_markdown(data["crisis_resources"]))
    booking = data["booking"]
    booking_text = editor_markdown(booking["text"]) if "text_html" in booking else escape_markdown(booking["text"])
    parts.append(booking_text)
    parts.append(_link(booking["label"], booking["url"]))
    closing = data.get("closing")
    if closing and closing["links"]:
        parts.append(f"## {escape_markdown(closing['title'] or 'More from ' + data['practice_name'])}")
        if closing["text_md"]:
            parts.append(editor_markdown(closing["text_md"]))
        parts.append("\n".join(f"- {_link(link['label'], link['url'])}" for link in closing["links"]))
    return "\n\n".join(parts) + "\n"
