"""The Markdown export of a compiled feature.

Every text is escaped for Markdown, so an answer can never become a link,
an image or raw HTML in the practice's CMS.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

import bleach

if TYPE_CHECKING:
    from curation.publishing.compiling import FeatureData

# Characters with a meaning somewhere in CommonMark; escaping all is harmless.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def escape_markdown(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text).replace("&gt;", "\\>")


def _html_to_text(html: str) -> str:
    """Intro and outro were cleaned when saved; Markdown gets their words only."""
    with_breaks = re.sub(r"</p>|<br\s*/?>", "\n\n", html)
    return bleach.clean(with_breaks, tags=set(), strip=True).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")


def _paragraphs(text: str) -> str:
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]
    return "\n\n".join(escape_markdown(b).replace("\n", "  \n") for b in blocks)


def _quoted(text: str) -> str:
    return "\n>\n".join("> " + line for line in _paragraphs(text).split("\n\n"))


def feature_markdown(data: FeatureData) -> str:
    parts = [f"# {escape_markdown(data['title'])}"]
    intro = _html_to_text(data["intro_html"]).strip()
    if intro:
        parts.append(_paragraphs(intro))
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
    parts.append(_quoted(data["question"]))
    for quote in data["quotes"]:
        parts.append(_quoted(quote["text"]))
        parts.append(f"— *{escape_markdown(quote['credit_line'])}*")
    outro = _html_to_text(data["outro_html"]).strip()
    if outro:
        parts.append(_paragraphs(outro))
    if data.get("crisis_resources"):
        parts.append(escape_markdown(data["crisis_resources"]))
    booking = data["booking"]
    parts.append(escape_markdown(booking["text"]))
    parts.append(f"[{escape_markdown(booking['label'])}](<{booking['url'].replace('>', '%3E').replace(' ', '%20')}>)")
    return "\n\n".join(parts) + "\n"
