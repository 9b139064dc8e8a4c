"""Text hygiene in one place: what a person types is made safe to keep and to
show once, here, on input; outputs with rules of their own (the feed's XML, the
quote cards' PNG, Markdown) pass their text through `printable()` again, so a
row stored before these rules, or written by a script, cannot break them.

- Unicode NFC, so the same letters are the same string wherever compared;
- no noncharacters (U+FDD0–U+FDEF, U+xFFFE and U+xFFFF of every plane), no
  lone surrogates, no C0 or C1 controls but tab and newline: XML 1.0 cannot
  carry them, and one of them makes the whole feed unreadable;
- in one-line fields (names, titles, credentials, topics) no line breaks or
  tabs, and no bidi embedding, override or isolate controls, which can make a
  name read backwards beside the text around it.
"""
from __future__ import annotations

import re
import unicodedata

_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
)
# C0 except tab and newline (a carriage return is unified away before), DEL, C1,
# surrogates, noncharacters.
_UNCARRIABLE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff{_NONCHARACTERS}]")
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_LINE_BREAK = re.compile(r"\s*[\n\t]\s*")


def clean_text(value: str | None) -> str:
    """Multi-line text: newlines unified, NFC, nothing an output cannot carry."""
    if value is None:
        return ""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", _UNCARRIABLE.sub("", value))


def clean_line(value: str | None) -> str:
    """A form filter for multi-line fields: cleaned text without surrounding
    blanks; a field missing from the request reads as empty, not None."""
    return clean_text(value).strip()


def one_line(value: str | None) -> str:
    """A form filter for one-line fields (names, titles): line breaks and tabs
    become spaces, so nothing typed there can split a mail header or a heading,
    and bidi controls go, so nothing can turn the text around it backwards."""
    return _LINE_BREAK.sub(" ", _BIDI_CONTROLS.sub("", clean_text(value)).strip())


def printable(value: str | None, *, single_line: bool = False) -> str:
    """The text as any output can carry it: XML, a PNG card, Markdown, a mail.
    `single_line` for a name, title or credit line drawn or written on one line."""
    return one_line(value) if single_line else clean_text(value)
