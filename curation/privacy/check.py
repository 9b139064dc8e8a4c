"""The privacy check: passages of an answer that may identify a client or
another person, or that carry crisis language.

Plain regular expressions and word lists (rules.py), applied sentence by
sentence. A blank spaCy pipeline has no tagger and no entity recogniser, so
its Matcher would match on the same token texts and capitals these patterns
do, for a large dependency and a slower start; what is specific to therapy
(a particular client plus a detail) is ours to write either way.

The rules lean on one distinction: a story about someone (a particular client,
a named friend, "she" with an age or a town) is flagged; the therapist's own
general experience ("clients often tell me…"), their own life ("when I was
19") and sources cited by name ("as Carl Rogers wrote") are not.
"""
from __future__ import annotations

import dataclasses
import hashlib
import re

from curation.privacy import rules

KINDS = ("client-detail", "person-name", "age", "place", "date", "crisis")

REASONS = {
    "client-detail": "This sentence tells of a particular client together with {details}; "
    "together they may let someone recognise the client.",
    "person-name": "“{passage}” looks like the name of a real person.",
    "age": "An age helps to recognise the person it belongs to.",
    "place": "A named place or workplace helps to recognise the person it belongs to.",
    "date": "A date or a time ties the story to a moment someone could recognise.",
    "crisis": "Crisis language (suicide, self-harm, abuse). Readers may need help: consider adding the "
    "crisis-resources line under the feature.",
}

# What a flag says first, in the therapist's words.
HEADLINES = {
    "client-detail": "This sentence may identify a client.",
    "person-name": "This may name a real person.",
    "age": "This age may help identify someone.",
    "place": "This place may help identify someone.",
    "date": "This date may help identify someone.",
    "crisis": "This passage carries crisis language.",
}

_SENTENCE = re.compile(r"[^.!?…\n]+(?:[.!?…]+[\"”’)]*|\n|$)")


@dataclasses.dataclass(frozen=True)
class Flag:
    kind: str
    start: int
    end: int
    passage: str
    reason: str
    sentence_start: int
    sentence_end: int

    @property
    def headline(self) -> str:
        return HEADLINES[self.kind]

    @property
    def key(self) -> str:
        """Stable while the same words stand, wherever in the text: an editor's
        acknowledgement holds for these words, not for whatever is there later."""
        return hashlib.sha256(f"{self.kind}\n{' '.join(self.passage.split())}".encode()).hexdigest()[:32]


@dataclasses.dataclass(frozen=True)
class _Sentence:
    start: int
    end: int
    text: str


def _sentences(text: str) -> list[_Sentence]:
    found = []
    for match in _SENTENCE.finditer(text):
        raw = match.group(0)
        stripped = raw.strip()
        if not stripped:
            continue
        start = match.start() + (len(raw) - len(raw.lstrip()))
        found.append(_Sentence(start, start + len(stripped), stripped))
    return found


def check(text: str) -> list[Flag]:
    """Every flag in `text`, in reading order, none overlapping another of its kind."""
    flags: list[Flag] = []
    client_context = 0  # sentences left in which "she"/"he" still means the client
    for sentence in _sentences(text or ""):
        found, client_context = _check_sentence(sentence, client_context)
        flags.extend(found)
    return sorted(flags, key=lambda f: (f.start, f.kind))


def _check_sentence(sentence: _Sentence, client_context: int) -> tuple[list[Flag], int]:
    s = sentence.text
    flags: list[tuple[str, int, int, str]] = []  # kind, start, end within s, reason detail
    for match in rules.CRISIS.finditer(s):
        flags.append(("crisis", match.start(), match.end(), ""))

    names = _names(s)
    ages = _ages(s)
    dates = [(m.start(), m.end()) for m in rules.DATE.finditer(s)]
    places = _places(s)
    details = _client_details(s, names, ages, dates, places)

    client_ref = rules.SPECIFIC_CLIENT.search(s)
    about_client = bool(client_ref) or (client_context > 0 and bool(rules.THIRD_PERSON.search(s)))
    if client_ref:
        client_context = 2
    elif client_context:
        client_context -= 1

    if about_client and details:
        flags.append(("client-detail", 0, len(s), _and(details)))
    else:
        someone_else = any(
            pattern.search(s) for pattern in (rules.THIRD_PERSON, rules.OTHER_PERSON, rules.JOB)
        ) or bool(names) or bool(client_ref)
        flags += [("person-name", a, b, "") for a, b in names]
        if someone_else:
            flags += [("age", a, b, "") for a, b in ages]
            flags += [("date", a, b, "") for a, b in dates]
            flags += [("place", a, b, "") for a, b in places]
    return [_flag(sentence, kind, a, b, detail) for kind, a, b, detail in _without_overlaps(flags)], client_context


def _flag(sentence: _Sentence, kind: str, a: int, b: int, detail: str) -> Flag:
    passage = sentence.text[a:b]
    reason = REASONS[kind].format(details=detail, passage=passage)
    return Flag(kind, sentence.start + a, sentence.start + b, passage, reason, sentence.start, sentence.end)


def _without_overlaps(flags):
    """One mark per stretch of words and kind: the longest wins."""
    kept: list[tuple[str, int, int, str]] = []
    reached: dict[str, int] = {}  # per kind, the end of the last mark kept
    for flag in sorted(flags, key=lambda f: (f[1], -(f[2] - f[1]))):
        if flag[1] < reached.get(flag[0], -1):
            continue
        kept.append(flag)
        reached[flag[0]] = flag[2]
    return kept


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _client_details(s, names, ages, dates, places) -> list[str]:
    """What, beside the client, the sentence tells: each one narrows who it could be."""
    present = {
        "a name": bool(names),
        "an age": bool(ages),
        "a job": bool(rules.JOB.search(s)),
        "family": bool(rules.FAMILY_WORD.search(s)),
        "a place": bool(places),
        "a time": bool(dates),
        "a diagnosis": bool(rules.DIAGNOSIS.search(s)),
    }
    return [detail for detail, found in present.items() if found]


def _cited(s: str) -> list[tuple[int, int]]:
    spans = [m.span() for m in rules.CITATION.finditer(s)]
    spans += [
        m.span(1) for m in rules.CITED_SAYING.finditer(s)
        if any(word.lower() in rules.WELL_KNOWN for word in m.group(1).split())
    ]
    return spans


def _inside(spans, a: int, b: int) -> bool:
    return any(x <= a and b <= y for x, y in spans)


def _names(s: str) -> list[tuple[int, int]]:
    cited = _cited(s)
    found: set[tuple[int, int]] = set()
    for pattern in (rules.NAME_AFTER_NOUN, rules.NAME_IN_APPOSITION):
        for match in pattern.finditer(s):
            found.add(match.span(1))
    for match in rules.NAME_BEFORE_VERB.finditer(s):
        if match.group(1).lower() in rules.FIRST_NAMES:
            found.add(match.span(1))
    for match in re.finditer(r"\b[A-Z][a-z]+\b", s):
        if match.group(0).lower() in rules.FIRST_NAMES:
            found.add(match.span())
    kept = []
    for a, b in sorted(found):
        word = s[a:b]
        following = re.match(r"\s+([A-Z][\w'’-]+)", s[b:])
        if _inside(cited, a, b):
            continue
        if word.lower() in rules.WELL_KNOWN and following and following.group(1).lower() in rules.WELL_KNOWN:
            continue  # "Carl Rogers", "Brené Brown": a source
        if word.lower() in rules.NOT_PLACES:
            continue
        kept.append((a, b))
    return kept


def _ages(s: str) -> list[tuple[int, int]]:
    found = []
    for match in rules.AGE.finditer(s):
        if rules.OWN_AGE.search(s[max(0, match.start() - 40): match.start()]):
            continue  # the writer's own age
        found.append(match.span())
    found += [m.span(1) for m in rules.AGE_AFTER_NAME.finditer(s)]
    return found


def _places(s: str) -> list[tuple[int, int]]:
    cited = _cited(s)
    found = []
    for pattern in (rules.PLACE, rules.WORKPLACE):
        for match in pattern.finditer(s):
            words = match.group(1).split()
            if words[0].lower().strip("'’s") in rules.NOT_PLACES or words[0].lower() in rules.FIRST_NAMES:
                continue
            if _inside(cited, *match.span(1)):
                continue
            found.append(match.span(1))
    found += [m.span() for m in rules.STREET.finditer(s)]
    return found
