"""Quote cards and the link preview: what a reader of the card, or of its file, would notice.

The words a card draws are kept as data (its lines and, per line, the runs
with the font file each was drawn from), so these tests check the exact text
and every glyph's font without reading pixels.
"""
from __future__ import annotations

import io
import struct
import unicodedata

import pytest
from fontTools.ttLib import TTFont
from PIL import Image, features

from curation.publishing import cards

TITLE = "What I wish I had known in my first year of practice"
CREDIT = "Dana Whitfield, RP"
SERIES = "Therapists Being Human"
PRACTICE = "Northside Counselling"
SHORT = "Rest is part of the work."
BOX_WIDTH = cards.CONTENT_WIDTH
BOX_HEIGHT = 600

SCRIPTS = {
    "latin with diacritics": ("Je me suis dit : « ça va aller ». Łódź, Ærø, naïve.", "Élodie Bérubé, RP"),
    "greek": ("Η ξεκούραση είναι μέρος της δουλειάς.", "Ελένη Παπαδοπούλου, RP"),
    "cyrillic": ("Отдых — это часть работы, а не награда.", "Анна Иванова, RP"),
    "arabic": ("الراحة جزء من العمل، وليست ترفاً.", "محمد, RP"),
    "hebrew": ("מנוחה היא חלק מהעבודה.", "נועה כהן, RP"),
    "devanagari": ("आराम भी काम का हिस्सा है।", "प्रिया शर्मा, RP"),
    "chinese": ("休息也是工作的一部分，不是奖励。", "李小龍, RP"),
    "japanese": ("休むことも仕事のうちです。", "山田花子, RP"),
    "korean": ("휴식도 일의 일부입니다.", "김민지, RP"),
    "emoji": ("Rest is part of the work 🌿😊👩🏽‍⚕️", "Dana 🙂, RP"),
}


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


def card(quote: str = SHORT, credit: str = CREDIT, title: str = TITLE) -> cards.RenderedCard:
    return cards.render_quote_card(quote, credit, title, SERIES, PRACTICE)


def cmap(path: str, index: int) -> set[int]:
    with TTFont(path, fontNumber=index, lazy=True) as font:
        return set(font.getBestCmap())


def face_index(path: str) -> int:
    return cards.CJK_INDEX if path.endswith(".ttc") else 0


def is_default_ignorable(char: str) -> bool:
    # Joiners and variation selectors steer the shaping of the glyph before them; no font draws them alone.
    return unicodedata.category(char) == "Cf" or 0xFE00 <= ord(char) <= 0xFE0F


def test_pillow_has_raqm_for_shaping() -> None:
    assert features.check("raqm")


def test_card_is_a_1080_square_png_on_cream() -> None:
    image = open_png(card().png)

    assert (image.format, image.size, image.mode) == ("PNG", (1080, 1080), "RGB")
    assert image.getpixel((5, 5)) == (0xF7, 0xF3, 0xEC)
    dark = sum(count for count, colour in image.getcolors(maxcolors=1 << 20) if max(colour) < 0x50)
    assert dark > 2000  # the quote, credit and title are actually drawn


@pytest.mark.parametrize(
    "quote",
    [SHORT, numbered_words(120), "First thought.\n\nSecond thought,\non its own line.", "Cafe\u0301 de\u0301ja\u0300 vu"],
    ids=["short", "120 words", "paragraphs and a line break", "decomposed accents"],
)
def test_card_draws_exactly_the_quote(quote: str) -> None:
    drawn = card(quote)

    assert drawn.text_of("quote") == cards.normalized(quote)
    assert drawn.text_of("quote") == unicodedata.normalize("NFC", quote)
    for line in drawn.lines:
        assert "".join(run.text for run in line.runs) == line.text
    assert "…" not in drawn.text_of("quote")


def test_card_carries_credit_title_series_and_practice() -> None:
    drawn = card()

    assert drawn.text_of("credit") == f"— {CREDIT}"
    assert drawn.text_of("title") == TITLE
    assert drawn.text_of("series") == f"{SERIES} · {PRACTICE}"


def test_empty_credit_draws_no_credit_line() -> None:
    assert card(credit="   ").text_of("credit") == ""


def test_quote_too_long_for_a_card_gets_no_card_and_a_reason() -> None:
    quote = numbered_words(400)

    with pytest.raises(cards.CardWontFit) as refusal:
        card(quote)

    assert "too long" in refusal.value.reason
    assert cards.card_problem(quote, CREDIT, TITLE, SERIES, PRACTICE) == refusal.value.reason
    assert cards.card_problem(SHORT, CREDIT, TITLE, SERIES, PRACTICE) is None


def test_a_word_wider_than_a_line_is_never_broken_or_hyphenated() -> None:
    assert cards.card_problem("Look: " + "x" * 300, CREDIT, TITLE) is not None


def test_body_text_is_never_under_30_px() -> None:
    longest_that_fits = None
    for count in range(40, 200, 10):
        layout = cards.layout_quote(numbered_words(count), BOX_WIDTH, BOX_HEIGHT)
        if layout is None:
            break
        longest_that_fits = layout
    assert longest_that_fits is not None
    assert longest_that_fits.font_size >= 30 == cards.QUOTE_MIN_SIZE
    assert cards.TITLE_SIZE >= 30 and cards.CREDIT_SIZE >= 30


def test_short_quote_is_set_large_and_longer_one_smaller() -> None:
    short = cards.layout_quote(SHORT, BOX_WIDTH, BOX_HEIGHT)
    medium = cards.layout_quote(numbered_words(120), BOX_WIDTH, BOX_HEIGHT)

    assert short is not None and medium is not None
    assert short.font_size == cards.QUOTE_MAX_SIZE
    assert medium.font_size < short.font_size
    assert medium.height <= BOX_HEIGHT
    for line in medium.lines:
        assert cards.text_width(line.text, cards.Style.of(cards.SERIF, medium.font_size)) <= BOX_WIDTH


def test_long_title_and_credit_wrap_whole_instead_of_being_cut() -> None:
    title = "What I wish I had known in my first year of practice about rest, boundaries and asking for help"
    credit = "Dr. Alexandra Konstantinopoulou-Whitfield, RP, MSW, Registered Psychotherapist (Qualifying)"

    drawn = card(credit=credit, title=title)

    assert drawn.text_of("title") == title
    assert drawn.text_of("credit") == f"— {credit}"
    assert len([line for line in drawn.lines if line.role == "title"]) >= 2


@pytest.mark.parametrize("script", list(SCRIPTS))
def test_every_script_is_drawn_from_a_font_that_has_its_glyphs(script: str) -> None:
    quote, credit = SCRIPTS[script]
    title = f"{quote[:12]} · Rest"

    drawn = cards.render_quote_card(quote, credit, title, SERIES, PRACTICE)

    assert drawn.text_of("quote") == quote
    assert drawn.text_of("credit") == f"— {credit}"
    for line in drawn.lines:
        for run in line.runs:
            assert run.font_path, run
            glyphs = cmap(run.font_path, face_index(run.font_path))
            missing = [c for c in run.text if ord(c) not in glyphs and not is_default_ignorable(c)]
            assert not missing, (run.font_path, run.text, missing)


def test_no_script_falls_back_to_the_last_font_in_the_chain() -> None:
    fallback = cards.SERIF[-1].path
    for quote, _ in SCRIPTS.values():
        assert all(run.font_path != fallback for line in card(quote).lines for run in line.runs)


def test_arabic_and_hebrew_lines_run_right_to_left_and_are_right_aligned() -> None:
    assert cards.base_is_rtl(SCRIPTS["arabic"][0]) and cards.base_is_rtl(SCRIPTS["hebrew"][0])
    assert not cards.base_is_rtl(SHORT)
    runs = cards.runs_of("I said محمد today", cards.installed(cards.SERIF), rtl=False)
    assert [(r.text.strip(), r.direction) for r in runs if r.text.strip()] == [
        ("I said", "ltr"), ("محمد", "rtl"), ("today", "ltr")
    ]

    image = open_png(card(SCRIPTS["arabic"][0]).png)
    quote_band = image.crop((0, 300, 1080, 700))
    ink = Image.eval(quote_band.convert("L"), lambda v: 255 if v < 100 else 0).getbbox()
    assert ink is not None and ink[2] > 1080 - cards.MARGIN - 10  # ends at the right margin


def test_right_to_left_runs_in_a_left_to_right_line_are_ordered_visually() -> None:
    faces = cards.installed(cards.SANS)
    runs = cards.runs_of("A אב 😊 גד B", faces, rtl=False)

    ordered = [run.text.strip() for run in cards.visual_order(runs) if run.text.strip()]

    assert ordered[0] == "A" and ordered[-1] == "B"
    assert ordered[1:-1] == ["גד", "😊", "אב"]  # the Hebrew phrase, emoji inside it, reads from the right


def test_every_text_drawn_passes_through_the_one_text_cleaner(monkeypatch: pytest.MonkeyPatch) -> None:
    # Stripping bidi controls is clean_text's work; the card must not draw around it.
    seen: list[str] = []

    def cleaner(value: str | None) -> str:
        seen.append(value or "")
        return (value or "").replace("\u202e", "").replace("\u202c", "")

    monkeypatch.setattr(cards, "clean_text", cleaner)
    drawn = card("A quote \u202ereversed\u202c", "Ada \u202eQuill\u202c", "live \u202eevil\u202c")

    assert drawn.text_of("title") == "live evil"
    assert drawn.text_of("credit") == "— Ada Quill"
    assert drawn.text_of("quote") == "A quote reversed"
    assert any("evil" in value for value in seen)


def test_chinese_wraps_between_characters_without_adding_spaces() -> None:
    quote = "休息也是工作的一部分，不是奖励。" * 6

    drawn = card(quote)

    assert len([line for line in drawn.lines if line.role == "quote"]) > 1
    assert drawn.text_of("quote") == quote


def test_share_image_is_1200_by_630_with_title_series_and_practice() -> None:
    drawn = cards.render_share_image(TITLE, SERIES, PRACTICE)

    assert open_png(drawn.png).size == cards.SHARE_SIZE == (1200, 630)
    assert drawn.text_of("title") == TITLE
    assert drawn.text_of("series") == SERIES
    assert drawn.text_of("practice") == PRACTICE
    long_title = "What Do Therapists Really Think About " + "Rest and Work and Life " * 7
    assert cards.render_share_image(long_title, SERIES, PRACTICE).text_of("title") == " ".join(long_title.split())


def test_png_carries_pixels_only_and_never_the_author() -> None:
    data = card(SHORT, "Dana Whitfield, RP").png

    assert set(png_chunk_types(data)) == {b"IHDR", b"IDAT", b"IEND"}
    assert set(open_png(data).info) <= {"dpi", "gamma"}
    for text in ("Dana", "Whitfield", SHORT, "first year"):
        assert text.encode("utf-8") not in data
        assert text.encode("utf-16-le") not in data
        assert text.encode("utf-16-be") not in data


def test_same_input_gives_identical_bytes() -> None:
    first = card(numbered_words(60)).png
    cards.run_length.cache_clear()
    cards.load_font.cache_clear()
    cards.card_frame.cache_clear()

    assert card(numbered_words(60)).png == first
    assert card(numbered_words(61)).png != first


def test_renders_without_any_font_package(monkeypatch: pytest.MonkeyPatch) -> None:
    # A fresh machine may lack the font packages; Pillow's bundled font takes over for ASCII.
    missing = (cards.Face("/nonexistent/Font.ttf"),)
    for name in ("SERIF", "SERIF_ITALIC", "SANS"):
        monkeypatch.setattr(cards, name, missing)

    image = open_png(card(numbered_words(40)).png)

    assert image.size == (1080, 1080)


def test_a_huge_answer_is_refused_after_measuring_no_more_than_fills_a_card(monkeypatch) -> None:
    # Counted, not timed: each trial size stops once the box is full, so the
    # words measured do not grow with the answer. A quadratic (or merely
    # linear) slip shows as a count that grows tenfold with a tenfold answer.
    measured: list[str] = []
    measure = cards.text_width

    def counting(text, *args, **kwargs):
        measured.append(text)
        return measure(text, *args, **kwargs)

    monkeypatch.setattr(cards, "text_width", counting)

    def measurements(quote: str) -> int:
        measured.clear()
        assert cards.card_problem(quote, CREDIT, TITLE) is not None
        return len(measured)

    five_thousand, fifty_thousand = measurements(numbered_words(5000)), measurements(numbered_words(50_000))
    assert fifty_thousand == five_thousand
    assert five_thousand < 5000  # fewer than one measurement per word of the answer
    # One unbreakable piece wider than the card is refused at its first measurement per size.
    assert measurements("x" * 50_000) <= 2 * len(range(cards.QUOTE_MIN_SIZE, cards.QUOTE_MAX_SIZE + 1, cards.QUOTE_SIZE_STEP))
    assert cards.card_problem(numbered_words(60), CREDIT, TITLE) is None
