"""Quote cards: what a reader of the card, or of its file, would notice."""
from __future__ import annotations

import io
import struct
import time

import pytest
from PIL import Image

from curation.publishing import cards

TITLE = "What I wish I had known in my first year of practice"
CREDIT = "Dana Whitfield, RP"
SHORT = "Rest is part of the work."
BOX_WIDTH = cards.CONTENT_WIDTH
BOX_HEIGHT = 600


def numbered_words(count: int) -> str:
    # Distinct, punctuation-free words make "is every line made of whole words?" exact.
    return " ".join(f"w{i}" for i in range(count))


def open_png(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def png_chunk_types(data: bytes) -> list[bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    types, position = [], 8
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        types.append(data[position + 4 : position + 8])
        position += 12 + length
    return types


def assert_lines_fit(layout: cards.QuoteLayout, width: int = BOX_WIDTH) -> None:
    font = cards.quote_font(layout.font_size)
    for line in layout.lines:
        assert font.getlength(line) <= width, line


def test_card_is_a_1080_square_png() -> None:
    image = open_png(cards.render_quote_card(SHORT, CREDIT, TITLE))

    assert image.format == "PNG"
    assert image.size == cards.CARD_SIZE == (1080, 1080)
    assert image.mode == "RGB"


def test_card_shows_ink_on_a_cream_background() -> None:
    image = open_png(cards.render_quote_card(SHORT, CREDIT, TITLE))

    assert image.getpixel((5, 5)) == (0xF7, 0xF3, 0xEC)
    dark = sum(count for count, colour in image.getcolors(maxcolors=1 << 20) if max(colour) < 0x50)
    assert dark > 2000  # the quote, credit and title are actually drawn


@pytest.mark.parametrize("quote", [SHORT, numbered_words(5000)], ids=["short", "5000 words"])
def test_short_and_very_long_quotes_both_render(quote: str) -> None:
    assert open_png(cards.render_quote_card(quote, CREDIT, TITLE)).size == (1080, 1080)


def test_short_quote_is_set_large_and_whole() -> None:
    layout = cards.layout_quote(SHORT, BOX_WIDTH, BOX_HEIGHT)

    assert layout.font_size == cards.QUOTE_MAX_SIZE
    assert layout.truncated is False
    assert " ".join(layout.lines) == SHORT


def test_longer_quote_shrinks_before_it_is_cut() -> None:
    short = cards.layout_quote(SHORT, BOX_WIDTH, BOX_HEIGHT)
    medium = cards.layout_quote(numbered_words(120), BOX_WIDTH, BOX_HEIGHT)

    assert medium.font_size < short.font_size
    assert medium.truncated is False
    assert " ".join(medium.lines).split() == numbered_words(120).split()
    assert medium.height <= BOX_HEIGHT
    assert_lines_fit(medium)


def test_very_long_quote_is_cut_at_a_word_with_an_ellipsis() -> None:
    quote = numbered_words(5000)
    words = set(quote.split())

    layout = cards.layout_quote(quote, BOX_WIDTH, BOX_HEIGHT)

    assert layout.truncated is True
    assert layout.font_size == cards.QUOTE_MIN_SIZE
    assert layout.lines[-1].endswith("…")
    assert layout.height <= BOX_HEIGHT
    assert_lines_fit(layout)
    for line in layout.lines:
        assert set(line.removesuffix("…").split()) <= words, line  # never part of a word


def test_ellipsis_does_not_follow_dangling_punctuation() -> None:
    quote = ("I was tired, so tired; " * 400).strip()

    layout = cards.layout_quote(quote, BOX_WIDTH, 200)

    assert layout.truncated
    assert layout.lines[-1][-2] not in ",; "
    assert layout.lines[-1].endswith("…")


def test_paragraph_breaks_are_kept() -> None:
    layout = cards.layout_quote("First thought.\n\nSecond thought.", BOX_WIDTH, BOX_HEIGHT)

    assert layout.lines == ("First thought.", cards.PARAGRAPH_BREAK, "Second thought.")


def test_enormous_word_is_hyphenated_only_at_the_smallest_size() -> None:
    layout = cards.layout_quote("Look: " + "x" * 300, BOX_WIDTH, BOX_HEIGHT)

    assert layout.font_size == cards.QUOTE_MIN_SIZE
    assert layout.lines[0] == "Look:"
    pieces = layout.lines[1:]
    assert all(piece.endswith("-") for piece in pieces[:-1])
    assert "".join(piece.removesuffix("-") for piece in pieces) == "x" * 300
    assert_lines_fit(layout)


def test_long_word_that_fits_at_a_smaller_size_is_not_broken() -> None:
    word = "Psychoneuroimmunological"
    layout = cards.layout_quote(f"{word} {word} {word}", BOX_WIDTH, BOX_HEIGHT)

    assert all(line.split() and set(line.split()) == {word} for line in layout.lines)


def test_title_and_credit_are_kept_to_two_lines() -> None:
    font = cards.load_font(cards.SANS, cards.TITLE_SIZE)

    lines = cards.wrap_short_text(TITLE * 10, font, BOX_WIDTH, 2)

    assert len(lines) == 2
    assert lines[-1].endswith("…")
    assert all(font.getlength(line) <= BOX_WIDTH for line in lines)
    assert cards.wrap_short_text(TITLE, font, BOX_WIDTH, 2) == [TITLE]


def test_credit_line_gets_its_dash_and_an_empty_credit_shows_nothing() -> None:
    font = cards.load_font(cards.SERIF_ITALIC, cards.CREDIT_SIZE)

    assert cards.credit_text(f"  {CREDIT} ", font) == f"— {CREDIT}"
    assert cards.credit_text("   ", font) == ""
    assert open_png(cards.render_quote_card(SHORT, "", TITLE)).size == (1080, 1080)


def test_png_carries_pixels_only_and_never_the_author() -> None:
    data = cards.render_quote_card(SHORT, "Dana Whitfield, RP", TITLE)

    assert set(png_chunk_types(data)) == {b"IHDR", b"IDAT", b"IEND"}
    assert set(open_png(data).info) <= {"dpi", "gamma"}
    for text in ("Dana", "Whitfield", SHORT, "first year"):
        assert text.encode("utf-8") not in data
        assert text.encode("utf-16-le") not in data
        assert text.encode("utf-16-be") not in data


def test_same_input_gives_identical_bytes() -> None:
    first = cards.render_quote_card(numbered_words(60), CREDIT, TITLE)
    cards.text_length.cache_clear()
    cards.load_font.cache_clear()

    assert cards.render_quote_card(numbered_words(60), CREDIT, TITLE) == first
    assert cards.render_quote_card(numbered_words(61), CREDIT, TITLE) != first


def test_accents_and_typographic_quotes_render() -> None:
    quote = "Je me suis dit : « ça va aller ». I’m “fine,” she said — naïve, and I believed her…"
    decomposed = "Cafe\u0301 de\u0301ja\u0300 vu"  # e + combining acute, as some keyboards send it

    for text in (quote, decomposed):
        data = cards.render_quote_card(text, "Élodie Bérubé, RP", "Ce que j’ai appris")
        assert open_png(data).size == (1080, 1080)
    assert cards.layout_quote(decomposed, BOX_WIDTH, BOX_HEIGHT).lines == ("Café déjà vu",)


def test_renders_without_dejavu(monkeypatch: pytest.MonkeyPatch) -> None:
    # A fresh machine may lack the font package; Pillow's bundled font takes over.
    for name in ("SERIF", "SERIF_ITALIC", "SANS"):
        monkeypatch.setattr(cards, name, "/nonexistent/DejaVu.ttf")

    image = open_png(cards.render_quote_card(numbered_words(300), CREDIT, TITLE))

    assert image.size == (1080, 1080)
    layout = cards.layout_quote(numbered_words(300), BOX_WIDTH, BOX_HEIGHT)
    assert_lines_fit(layout)
    assert cards.credit_text(CREDIT, cards.load_font(cards.SERIF_ITALIC, cards.CREDIT_SIZE)) == f"- {CREDIT}"


def test_rendering_stays_fast_even_for_a_huge_answer() -> None:
    # A loose bound (a card takes ~50 ms): it catches a quadratic slip, not a slow machine.
    huge_word = "x" * 50_000
    started = time.perf_counter()
    cards.render_quote_card(numbered_words(5000), CREDIT, TITLE)
    cards.render_quote_card(huge_word, CREDIT, TITLE)
    assert time.perf_counter() - started < 2.0
