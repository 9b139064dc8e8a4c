"""Excerpts made only of an answer's own words, and counting those words.

Answers, review and mail all need these, so they live here rather than in one
of them. The check reads the answer once, with one pointer that only moves
forward: an editor's request costs time in proportion to the answer and the
excerpt, however many cuts the excerpt has.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from typing import NamedTuple

from curation.errors import Invalid

ELLIPSIS = "…"

_WORD = re.compile(r"\S+")


def _combining_marks() -> str:
    r"""Every combining mark (categories Mn, Mc, Me), as a pattern that matches one.
    Python's \w leaves them out; they live in planes 0, 1 and 14 only.

    Two classes: `re` tests a class of characters all below U+10000 with one
    table lookup, but one that reaches beyond, mark by mark, which made reading
    a long answer cost ten times more; the second class is only tried for a
    character beyond U+FFFF."""
    marks = [c for r in (range(0x20000), range(0xE0000, 0xE1000)) for c in map(chr, r)
             if unicodedata.category(c).startswith("M")]
    basic = "".join(re.escape(c) for c in marks if ord(c) <= 0xFFFF)
    beyond = "".join(re.escape(c) for c in marks if ord(c) > 0xFFFF)
    return f"(?:[{basic}]|(?=[\U00010000-\U0010FFFF])[{beyond}])"


@functools.cache
def _piece() -> re.Pattern[str]:
    """A word with the marks on its letters; or one punctuation character with
    any marks on it. A mark is never punctuation of its own after a letter.

    Made on first use: finding the marks reads all of Unicode, which every
    command and server process would otherwise pay for as it starts."""
    marks = _combining_marks()
    return re.compile(rf"(?P<word>[\w’'](?:[\w’']|{marks})*)|[^\w\s]{marks}*")


@functools.cache
def _cut_or_piece() -> re.Pattern[str]:
    """In an excerpt, … is the cut between stretches, never a mark of the one before."""
    return re.compile(rf"(?P<cut>{ELLIPSIS})|{_piece().pattern}")


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
    return [Token(m.group(), m.start(), m.end(), m.lastgroup == "word") for m in _piece().finditer(text)]


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


def _stretches(excerpt: str) -> list[list[re.Match[str]]]:
    """The tokens of a tidied excerpt, stretch by stretch (the … between them
    cut), leaving out empty stretches: the same tokens each stretch has on its
    own, read in one pass over the excerpt."""
    stretches: list[list[re.Match[str]]] = [[]]
    for piece in _cut_or_piece().finditer(excerpt):
        if piece.lastgroup == "cut":
            stretches.append([])
        else:
            stretches[-1].append(piece)
    return [stretch for stretch in stretches if stretch]


def _texts(pieces: list[re.Match[str]]) -> list[str]:
    return [piece.group() for piece in pieces]


def tidy(excerpt: str) -> str:
    return unicodedata.normalize("NFC", excerpt.replace("...", ELLIPSIS)).strip()


class Cut:
    """An excerpt `cut` accepted: its words, tidied, and what it cuts from the
    answer, kept so that showing the cuts does not match the two again."""

    def __init__(self, text: str, body: str, pieces: list[re.Match[str]], kept: list[list[int]]):
        self.text = text
        self._body, self._pieces, self._kept = body, pieces, kept

    @property
    def spans(self) -> list[tuple[str, bool]]:
        """The answer as (text, kept) runs: what excerpt_spans gives for it."""
        return _spans(self._body, self._pieces, self._kept)


def cut(body: str, excerpt: str) -> Cut:
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
    stretches = _stretches(excerpt)
    if not stretches:
        raise Invalid("The excerpt has no words of the answer.", field="excerpt")
    if not all(any(piece.lastgroup == "word" for piece in stretch) for stretch in stretches):
        raise Invalid("The excerpt may only leave out text, marked with …; it cannot add any.", field="excerpt")
    body = unicodedata.normalize("NFC", body)
    pieces = list(_piece().finditer(body))
    body_tokens = _texts(pieces)
    kept, missing = _kept(body_tokens, [_texts(stretch) for stretch in stretches])
    if missing is not None:
        stretch = stretches[missing]
        raise Invalid(_refusal(excerpt[stretch[0].start():stretch[-1].end()], body_tokens), field="excerpt")
    return Cut(excerpt, body, pieces, kept)


def check_excerpt(body: str, excerpt: str) -> str:
    """The excerpt, tidied, if the answer's own words (see `cut`); otherwise Invalid."""
    return cut(body, excerpt).text


def _kept(body_tokens: list[str], needles: list[list[str]]) -> tuple[list[list[int]], int | None]:
    """The runs of the body's tokens the stretches keep, as [first, last + 1],
    touching ones joined; and the first stretch not found, None when all are."""
    runs: list[list[int]] = []
    for index, (needle, found) in enumerate(zip(needles, _runs(body_tokens, needles), strict=False)):
        if found is None:
            return runs, index
        if runs and runs[-1][1] == found:
            runs[-1][1] = found + len(needle)
        else:
            runs.append([found, found + len(needle)])
    return runs, None


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
    pieces = list(_piece().finditer(body))
    kept, missing = _kept(_texts(pieces), [_texts(stretch) for stretch in _stretches(tidy(excerpt))])
    if missing is not None:
        return [(body, True)]
    return _spans(body, pieces, kept)


def _spans(body: str, pieces: list[re.Match[str]], kept: list[list[int]]) -> list[tuple[str, bool]]:
    """Cut from the body run by run, so the cost grows with the cuts, not the words."""
    if not pieces:
        return [(body, True)]

    def text(first: int, stop: int) -> str:
        """Tokens first to stop - 1, each with the space before it."""
        return body[pieces[first - 1].end() if first else 0:pieces[stop - 1].end()]

    spans: list[tuple[str, bool]] = []
    done = 0
    for first, stop in kept:
        if first > done:
            spans.append((text(done, first), False))
        spans.append((text(first, stop), True))
        done = stop
    if done < len(pieces):
        spans.append((text(done, len(pieces)), False))
    last_text, last_kept = spans[-1]
    spans[-1] = (last_text + body[pieces[-1].end():], last_kept)
    return spans
