"""Excerpts made only of an answer's own words, and counting those words.

Answers, review and mail all need these, so they live here rather than in one
of them. The check reads the answer once, with one pointer that only moves
forward: an editor's request costs time in proportion to the answer and the
excerpt, however many cuts the excerpt has.
"""
from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from curation.errors import Invalid

ELLIPSIS = "…"

_WORD = re.compile(r"\S+")


def _combining_marks() -> str:
    r"""Every combining mark (categories Mn, Mc, Me) as a character class body.
    Python's \w leaves them out; they live in planes 0, 1 and 14 only."""
    marks = [c for r in (range(0x20000), range(0xE0000, 0xE1000)) for c in map(chr, r)
             if unicodedata.category(c).startswith("M")]
    return "".join(re.escape(c) for c in marks)


_MARKS = f"[{_combining_marks()}]"
# A word with the marks on its letters; or one punctuation character with any
# marks on it. A mark is never punctuation of its own after a letter.
_PIECE = re.compile(rf"(?P<word>[\w’'](?:[\w’']|{_MARKS})*)|[^\w\s]{_MARKS}*")


def count_words(text: str | None) -> int:
    return len(_WORD.findall(text or ""))


class Token(NamedTuple):
    text: str
    start: int
    end: int
    is_word: bool


def tokens(text: str) -> list[Token]:
    """Words and punctuation marks of `text` (expected in NFC), in order.

    A combining mark belongs to the letter before it, so "papá" stays one word
    whichever way its accent is encoded, and a mark is never punctuation.
    """
    return [Token(m.group(), m.start(), m.end(), m.lastgroup == "word") for m in _PIECE.finditer(text)]


def _runs(body_tokens: list[str], stretches: list[list[str]]):
    """For each stretch, where it starts among the body's tokens: the earliest
    place after the previous stretch (the earliest is never worse for the
    stretches that follow). None where a stretch is not found.

    Knuth–Morris–Pratt per stretch, continuing from the pointer, so the body's
    tokens are read once in all and each stretch once more for its table.
    """
    pointer = 0
    for needle in stretches:
        found = _find(body_tokens, needle, pointer)
        yield found
        if found is None:
            return
        pointer = found + len(needle)


def _find(haystack: list[str], needle: list[str], start: int) -> int | None:
    fallback = [0] * len(needle)
    k = 0
    for i in range(1, len(needle)):
        while k and needle[i] != needle[k]:
            k = fallback[k - 1]
        if needle[i] == needle[k]:
            k += 1
        fallback[i] = k
    k = 0
    for i in range(start, len(haystack)):
        while k and haystack[i] != needle[k]:
            k = fallback[k - 1]
        if haystack[i] == needle[k]:
            k += 1
            if k == len(needle):
                return i - k + 1
    return None


def _stretches(excerpt: str) -> list[str]:
    return [s.strip() for s in excerpt.split(ELLIPSIS)]


def tidy(excerpt: str) -> str:
    return unicodedata.normalize("NFC", excerpt.replace("...", ELLIPSIS)).strip()


def check_excerpt(body: str, excerpt: str) -> str:
    """The excerpt, tidied, if it is made only of the answer's own words, in
    order, with … wherever text is cut inside it; otherwise Invalid.

    Each stretch between ellipses must be a run of the answer's consecutive
    words and punctuation, exactly as they stand, found after the previous
    stretch. Punctuation next to a cut may be left out (the stretch simply ends
    before it); none may be added, changed or moved, and no word either. Both
    texts are compared in NFC, so the same letters in another encoding match.
    """
    excerpt = tidy(excerpt)
    if not excerpt:
        raise Invalid("The excerpt is empty.", field="excerpt")
    stretches = [s for s in _stretches(excerpt) if s]
    if not stretches:
        raise Invalid("The excerpt has no words of the answer.", field="excerpt")
    needles = []
    for stretch in stretches:
        stretch_tokens = tokens(stretch)
        if not any(t.is_word for t in stretch_tokens):
            raise Invalid("The excerpt may only leave out text, marked with …; it cannot add any.", field="excerpt")
        needles.append([t.text for t in stretch_tokens])
    body_tokens = [t.text for t in tokens(unicodedata.normalize("NFC", body))]
    for stretch, found in zip(stretches, _runs(body_tokens, needles), strict=False):
        if found is None:
            raise Invalid(_refusal(stretch, body_tokens), field="excerpt")
    return excerpt


def _refusal(stretch: str, body_tokens: list[str]) -> str:
    known = set(body_tokens)
    invented = next((t.text for t in tokens(stretch) if not t.is_word and t.text not in known), None)
    if invented is not None:
        return f"The excerpt adds “{invented}”, which is not in the answer."
    return (
        "The excerpt must use only the answer's own words and punctuation, in the same order, "
        "with … where text is cut. It cannot add, change or reorder them: “"
        + stretch[:80]
        + "” does not appear in the answer at that point."
    )


def excerpt_spans(body: str, excerpt: str | None) -> list[tuple[str, bool]]:
    """The answer as (text, kept) runs, so readers see what an excerpt cuts.

    Built from the same tokens check_excerpt matches, words and punctuation
    alike, so the kept runs read exactly as the published excerpt: a mark the
    excerpt leaves out is struck, one it keeps is kept. Each token carries the
    space before it; the whole answer if the excerpt no longer fits it."""
    if not excerpt:
        return [(body, True)]
    body = unicodedata.normalize("NFC", body)
    body_tokens = tokens(body)
    needles = [[t.text for t in tokens(s)] for s in _stretches(tidy(excerpt))]
    needles = [n for n in needles if n]
    kept: set[int] = set()
    for needle, found in zip(needles, _runs([t.text for t in body_tokens], needles), strict=False):
        if found is None:
            return [(body, True)]
        kept.update(range(found, found + len(needle)))
    spans: list[tuple[str, bool]] = []
    previous_end = 0
    for index, token in enumerate(body_tokens):
        piece, is_kept = body[previous_end:token.end], index in kept
        if spans and spans[-1][1] == is_kept:
            spans[-1] = (spans[-1][0] + piece, is_kept)
        else:
            spans.append((piece, is_kept))
        previous_end = token.end
    if spans and previous_end < len(body):
        spans[-1] = (spans[-1][0] + body[previous_end:], spans[-1][1])
    return spans or [(body, True)]
