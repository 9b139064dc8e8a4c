"""The excerpt rule on real text: the author's own words and punctuation, in
place and in order, whatever the Unicode encoding, in time linear in the text."""
import random
import re
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curation import excerpts
from curation.errors import Invalid
from curation.excerpts import (
    ELLIPSIS,
    check_excerpt,
    count_words,
    excerpt_spans,
    tokens,
)

NFD = "Mi papa\u0301 dice que descansar es bueno; luego lo olvida."  # "papá", decomposed


def test_a_decomposed_accent_belongs_to_its_letter():
    assert [t.text for t in tokens(NFD) if t.is_word][:2] == ["Mi", "papa\u0301"]
    with pytest.raises(Invalid):
        check_excerpt("Mi papa dice que descansar es bueno.", "Mi papá dice")
    with pytest.raises(Invalid):
        check_excerpt(NFD, "Mi papa dice")


@pytest.mark.parametrize("body_form, excerpt_form", [("NFD", "NFC"), ("NFC", "NFD")])
def test_an_excerpt_in_the_other_normal_form_is_the_same_excerpt(body_form, excerpt_form):
    body = unicodedata.normalize(body_form, NFD)
    excerpt = unicodedata.normalize(excerpt_form, "Mi papá dice … es bueno")
    assert check_excerpt(body, excerpt) == unicodedata.normalize("NFC", excerpt)


@pytest.mark.parametrize("excerpt", ["It was good.", "it was bad,", "It was good; … it was bad;"])
def test_punctuation_cannot_move_to_where_it_is_not(excerpt):
    # each mark occurs in the answer, only not at that place
    with pytest.raises(Invalid):
        check_excerpt("It was good; then it was bad. Later, it was good.", excerpt)


def test_punctuation_next_to_a_cut_may_be_left_out_but_not_inside_a_stretch():
    body = "Rest, like sleep, is not earned; it is needed."
    assert check_excerpt(body, "Rest … is not earned … it is needed.")
    assert check_excerpt(body, "like sleep, is not earned")
    with pytest.raises(Invalid):
        check_excerpt(body, "Rest like sleep is not earned")


def test_a_mark_that_is_only_in_another_place_is_named_as_moved_not_invented():
    with pytest.raises(Invalid) as refused:
        check_excerpt("Rest, then work.", "Rest. … work")
    assert "does not appear in the answer at that point" in refused.value.message


def test_count_words_counts_what_is_between_blanks():
    assert count_words("Rest is  a\nkindness.") == 4
    assert count_words(None) == 0


def test_spans_mark_what_an_nfd_excerpt_keeps():
    spans = excerpt_spans(NFD, "Mi papá dice … luego lo olvida.")
    assert [kept for _, kept in spans] == [True, False, True]
    assert "".join(text for text, _ in spans) == unicodedata.normalize("NFC", NFD)


# --- at the size limit -------------------------------------------------------

def _answer_at_the_limit(seed: int = 1) -> tuple[str, str]:
    rnd = random.Random(seed)
    vocabulary = ["rest", "is", "a", "kindness", "we", "owe", "ourselves", "and", "the", "body", "knows", "it", "when", "we", "stop"]
    parts: list[str] = []
    while sum(len(p) + 1 for p in parts) < 20_000:
        parts.append(rnd.choice(vocabulary) + rnd.choice(["", "", ",", ".", ";"]))
    body = " ".join(parts)[:20_000].rsplit(" ", 1)[0]
    excerpt = f" {ELLIPSIS} ".join(p.strip(",.;") for p in body.split(" ")[::2])
    return body, excerpt


class _CountedReads(list):
    """A token list that counts how often the matching reads one of its tokens."""

    reads = 0

    def __getitem__(self, index):
        _CountedReads.reads += 1
        return super().__getitem__(index)


def test_an_excerpt_of_thousands_of_cuts_at_the_size_limit_reads_each_token_a_few_times(monkeypatch):
    # Counted, not timed (bench/excerpt.py times it): matching stretch after
    # stretch from where the last one ended reads the answer about once. A
    # search that starts over, or rescans, reads it once per cut: 1,500 times.
    body, excerpt = _answer_at_the_limit()
    assert len(body) > 19_900 and excerpt.count(ELLIPSIS) > 1500
    texts = excerpts._texts
    monkeypatch.setattr(excerpts, "_texts", lambda pieces: _CountedReads(texts(pieces)))
    _CountedReads.reads = 0

    assert check_excerpt(body, excerpt)
    assert excerpt_spans(body, excerpt)
    answer_tokens, excerpt_tokens = len(tokens(body)), len(tokens(excerpt))
    assert _CountedReads.reads <= 4 * (answer_tokens + excerpt_tokens), (
        f"{_CountedReads.reads} reads for {answer_tokens} tokens of the answer and {excerpt_tokens} of the excerpt"
    )


# --- properties --------------------------------------------------------------

WORD = st.text(alphabet="abcdeéñ", min_size=1, max_size=6)
PUNCTUATION = st.sampled_from(["", "", "", ",", ".", ";", "!", "?", ":"])
ANSWER = st.lists(st.tuples(WORD, PUNCTUATION), min_size=1, max_size=40)


def _text(pieces) -> str:
    return " ".join(word + mark for word, mark in pieces)


def _cuts(draw, pieces):
    """Stretches of consecutive pieces, in order, as an editor would cut."""
    stretches, i = [], draw(st.integers(0, len(pieces) - 1))
    while i < len(pieces):
        length = draw(st.integers(1, len(pieces) - i))
        stretch = list(pieces[i : i + length])
        if draw(st.booleans()):  # drop the punctuation at the cut
            stretch[-1] = (stretch[-1][0], "")
        stretches.append(_text(stretch))
        i += length + draw(st.integers(0, 3))
        if draw(st.integers(0, 3)) == 0:
            break
    return stretches


@st.composite
def answer_and_excerpt(draw):
    pieces = draw(ANSWER)
    return _text(pieces), f" {ELLIPSIS} ".join(_cuts(draw, pieces))


def _word_runs_in_order(body: str, excerpt: str) -> bool:
    body_words = re.findall(r"[\w’']+", body)
    position = 0
    for stretch in excerpt.split(ELLIPSIS):
        words = re.findall(r"[\w’']+", stretch)
        if not words:
            continue
        for start in range(position, len(body_words) - len(words) + 1):
            if body_words[start : start + len(words)] == words:
                position = start + len(words)
                break
        else:
            return False
    return True


PROPERTY = settings(max_examples=150, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(answer_and_excerpt())
def test_cuts_of_the_answer_in_order_are_accepted(case):
    body, excerpt = case
    assert check_excerpt(body, excerpt) == excerpt


@PROPERTY
@given(ANSWER, st.data())
def test_whatever_is_accepted_reads_as_runs_of_the_answers_words_in_order(pieces, data):
    body = _text(pieces)
    # excerpts built from the answer's own material, in any order: most are refused
    material = [w for w, _ in pieces] + [m for _, m in pieces if m] + [ELLIPSIS, ELLIPSIS]
    excerpt = " ".join(data.draw(st.lists(st.sampled_from(material), min_size=1, max_size=12)))
    try:
        accepted = check_excerpt(body, excerpt)
    except Invalid:
        return
    assert _word_runs_in_order(body, accepted.replace(ELLIPSIS, f" {ELLIPSIS} "))


@PROPERTY
@given(answer_and_excerpt(), st.data())
def test_a_word_changed_or_added_is_refused(case, data):
    body, excerpt = case
    excerpt_words = list(re.finditer(r"[\w’']+", excerpt))
    target = data.draw(st.sampled_from(excerpt_words))
    replacement = data.draw(st.text(alphabet="xyzq", min_size=1, max_size=4))
    edits = [
        excerpt[: target.start()] + replacement + excerpt[target.end() :],  # a word changed
        excerpt[: target.end()] + " " + replacement + excerpt[target.end() :],  # a word added
    ]
    for edited in edits:
        with pytest.raises(Invalid):
            check_excerpt(body, edited)


@PROPERTY
@given(answer_and_excerpt(), st.sampled_from(["!", "?", "—", "“"]))
def test_a_mark_the_answer_does_not_have_there_is_refused(case, mark):
    body, excerpt = case
    stretch = excerpt.split(ELLIPSIS)[0].rstrip()
    edited = stretch + mark
    if body.startswith(edited) or f" {edited}" in body:
        return  # the answer really has it there
    with pytest.raises(Invalid):
        check_excerpt(body, edited)
