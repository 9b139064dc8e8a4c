"""Square quote cards (PNG) for sharing one quote of a published feature.

A card shows the quote, set as large as it fits, its credit line and the
feature's title. The PNG carries pixels only: no text chunks, no EXIF, so a
card of an anonymous quote can never give its author away through metadata.
The same inputs always give the same bytes, which keeps the stored ETag stable.
"""
from __future__ import annotations

import io
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice

from PIL import Image, ImageDraw, ImageFont

CARD_SIZE = (1080, 1080)

MARGIN = 90
CONTENT_WIDTH = CARD_SIZE[0] - 2 * MARGIN

BACKGROUND = "#f7f3ec"
INK = "#2b2b2b"
MUTED_INK = "#5e5a54"  # the title steps back from the quote, still ~6:1 contrast on the cream
ACCENT = "#5b7f6e"

QUOTE_MAX_SIZE = 64
QUOTE_MIN_SIZE = 28
QUOTE_SIZE_STEP = 2
QUOTE_LEADING = 1.42
MARK_SIZE = 190
PNG_COMPRESS_LEVEL = 1
CREDIT_SIZE = 34
CREDIT_MAX_LINES = 2
TITLE_SIZE = 26
TITLE_MAX_LINES = 2
SMALL_LEADING = 1.4

MARK_GAP = 18  # between the opening mark and the first line of the quote
CREDIT_GAP = 40  # between the quote and its credit
FOOTER_GAP = 56  # keeps the title clearly apart from the quote it belongs to
RULE_WIDTH = 64
RULE_THICKNESS = 3
RULE_GAP = 24

ELLIPSIS = "…"
OPENING_MARK = "“"
PARAGRAPH_BREAK = ""  # stands in a line list where a blank line separated paragraphs
# Left dangling before an ellipsis these read as a typo ("tired,…"), so they go.
_DANGLING = " \t,;:.-–—(“‘[«"

_FONT_DIR = "/usr/share/fonts/truetype/dejavu"
SERIF = os.path.join(_FONT_DIR, "DejaVuSerif.ttf")
SERIF_ITALIC = os.path.join(_FONT_DIR, "DejaVuSerif-Italic.ttf")
SANS = os.path.join(_FONT_DIR, "DejaVuSans.ttf")

Font = ImageFont.FreeTypeFont


@lru_cache(maxsize=64)
def load_font(path: str, size: int) -> Font:
    """DejaVu when the system has it; otherwise Pillow's bundled scalable font.

    The bundled font covers ASCII only, so accented letters need DejaVu
    (Debian: fonts-dejavu-core) on the machine that publishes.
    """
    if os.path.isfile(path):
        return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)  # type: ignore[return-value]


def quote_font(size: int) -> Font:
    return load_font(SERIF, size)


def quote_line_height(size: int) -> int:
    return round(size * QUOTE_LEADING)


def paragraph_gap(line_height: int) -> int:
    return line_height // 2


@dataclass(frozen=True)
class QuoteLayout:
    lines: tuple[str, ...]  # PARAGRAPH_BREAK ("") marks a gap between paragraphs
    font_size: int
    line_height: int
    truncated: bool

    @property
    def height(self) -> int:
        return block_height(self.lines, self.line_height)


def block_height(lines: Iterable[str], line_height: int) -> int:
    return sum(paragraph_gap(line_height) if line == PARAGRAPH_BREAK else line_height for line in lines)


def layout_quote(quote: str, box_width: int, box_height: int) -> QuoteLayout:
    """The quote wrapped at the largest size that fits the box, or cut with "…" at the smallest.

    Fitting is nearly monotonic in the size, so a binary search over the
    allowed sizes finds it in a handful of trial wraps, and each trial stops
    as soon as the box is full, so a 5,000-word answer costs no more than a
    short one.
    """
    paragraphs = split_paragraphs(quote)
    sizes = list(range(QUOTE_MIN_SIZE, QUOTE_MAX_SIZE + 1, QUOTE_SIZE_STEP))
    best: QuoteLayout | None = None
    low, high = 0, len(sizes) - 1
    while low <= high:
        middle = (low + high) // 2
        size = sizes[middle]
        lines, overflowed = fill_box(paragraphs, size, box_width, box_height, break_long_words=size == QUOTE_MIN_SIZE)
        if lines is not None and not overflowed:
            best = QuoteLayout(tuple(lines), size, quote_line_height(size), truncated=False)
            low = middle + 1
        else:
            high = middle - 1
    if best is not None:
        return best
    lines, _ = fill_box(paragraphs, QUOTE_MIN_SIZE, box_width, box_height, break_long_words=True)
    ellipsized = end_with_ellipsis(lines or [], quote_font(QUOTE_MIN_SIZE), box_width)
    return QuoteLayout(tuple(ellipsized), QUOTE_MIN_SIZE, quote_line_height(QUOTE_MIN_SIZE), truncated=True)


def split_paragraphs(text: str) -> list[list[list[str]]]:
    """Paragraphs of hard lines of words, as the author typed them.

    A blank line separates paragraphs; a single newline is kept as a line
    break, as in the feature page and its Markdown. NFC keeps an accent on its
    letter even when the text arrived decomposed.
    """
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = []
    for block in re.split(r"\n[ \t]*\n", text.strip()):
        hard_lines = [line.split() for line in block.split("\n")]
        hard_lines = [words for words in hard_lines if words]
        if hard_lines:
            paragraphs.append(hard_lines)
    return paragraphs


class _WordTooWide(Exception):
    """A word is wider than the line and may not be broken at this size."""


def fill_box(
    paragraphs: list[list[list[str]]], size: int, width: int, height: int, *, break_long_words: bool
) -> tuple[list[str] | None, bool]:
    """The lines that fit the box at this size, and whether text was left over.

    None for the lines means a single word is wider than the box, which only
    the smallest size may solve by hyphenating.
    """
    font = quote_font(size)
    line_height = quote_line_height(size)
    gap = paragraph_gap(line_height)
    lines: list[str] = []
    used = 0
    try:
        for line in wrapped_paragraphs(paragraphs, font, width, break_long_words=break_long_words):
            step = gap if line == PARAGRAPH_BREAK else line_height
            if used + step > height:
                return lines, True
            lines.append(line)
            used += step
    except _WordTooWide:
        return None, True
    return lines, False


def wrapped_paragraphs(
    paragraphs: list[list[list[str]]], font: Font, width: int, *, break_long_words: bool
) -> Iterator[str]:
    # A generator, so that a caller whose box is full stops the wrapping there.
    for number, hard_lines in enumerate(paragraphs):
        if number:
            yield PARAGRAPH_BREAK
        for words in hard_lines:
            yield from wrap_words(words, font, width, break_long_words=break_long_words)


def wrap_words(words: list[str], font: Font, width: int, *, break_long_words: bool) -> Iterator[str]:
    """Greedy wrapping by measured width; a word is only ever broken if it alone overflows a line."""
    # A line's width is the sum of its words and spaces: neither DejaVu nor
    # Pillow's bundled font kerns across a space (the tests check every line
    # against its true width). Measuring words, not whole lines, halves the layout time.
    space = text_length(font, " ")
    line: list[str] = []
    line_width = 0.0
    for word in words:
        word_width = text_length(font, word)
        if line and line_width + space + word_width <= width:
            line.append(word)
            line_width += space + word_width
            continue
        if line:
            yield " ".join(line)
        if word_width <= width:
            line, line_width = [word], word_width
            continue
        if not break_long_words:
            raise _WordTooWide(word)
        pieces = hyphenate(word, font, width)
        piece = next(pieces)
        for following in pieces:  # lazily, so a full box stops the breaking too
            yield piece
            piece = following
        line, line_width = [piece], text_length(font, piece)
    if line:
        yield " ".join(line)


@lru_cache(maxsize=8192)
def text_length(font: Font, text: str) -> float:
    # Fonts come from load_font's cache, so each (font, word) pair is measured once per process.
    return font.getlength(text)


def hyphenate(word: str, font: Font, width: int) -> Iterator[str]:
    """Pieces of a word too long for any line: full lines ending with a hyphen, then the rest."""
    rest = word
    while longest_fitting_prefix(rest, font, width) < len(rest):
        cut = max(1, longest_fitting_prefix(rest, font, width, suffix="-"))
        yield rest[:cut] + "-"
        rest = rest[cut:]
    yield rest


def longest_fitting_prefix(text: str, font: Font, width: int, suffix: str = "") -> int:
    """How many characters of text (followed by suffix) fit in width.

    Grows the probe before bisecting so that a pasted 50,000-character "word"
    is only ever measured a line or two at a time.
    """
    def fits(count: int) -> bool:
        return font.getlength(text[:count] + suffix) <= width

    low, high = 0, 16
    while high < len(text) and fits(high):
        low, high = high, high * 2
    high = min(high, len(text))
    if fits(high):
        return high
    while high - low > 1:  # fits(low) and not fits(high)
        middle = (low + high) // 2
        if fits(middle):
            low = middle
        else:
            high = middle
    return low


def end_with_ellipsis(lines: list[str], font: Font, width: int) -> list[str]:
    """Cut the last line at a word boundary so that "…" fits after it.

    Whole words are dropped (and, if need be, the whole line), never letters,
    except from a piece of an enormous word that was already hyphenated.
    """
    lines = list(lines)
    while lines:
        if lines[-1] == PARAGRAPH_BREAK:
            lines.pop()
            continue
        if is_hyphenated_piece(lines[-1], font, width):
            piece = lines[-1][:-1]
            lines[-1] = piece[: longest_fitting_prefix(piece, font, width, suffix=ELLIPSIS)] + ELLIPSIS
            return lines
        words = lines[-1].split(" ")
        while words:
            kept = " ".join(words).rstrip(_DANGLING)
            if kept and font.getlength(kept + ELLIPSIS) <= width:
                lines[-1] = kept + ELLIPSIS
                return lines
            words.pop()
        lines.pop()
    return [ELLIPSIS]


def is_hyphenated_piece(line: str, font: Font, width: int) -> bool:
    # Only hyphenate() makes a line of one hyphen-ended word that leaves no room for "…".
    return " " not in line and line.endswith("-") and font.getlength(line[:-1] + ELLIPSIS) > width


def wrap_short_text(text: str, font: Font, width: int, max_lines: int) -> list[str]:
    """A credit or title: one paragraph, at most max_lines lines, ellipsized beyond."""
    words = unicodedata.normalize("NFC", text).split()
    lines = list(islice(wrap_words(words, font, width, break_long_words=True), max_lines + 1))
    if len(lines) > max_lines:
        return end_with_ellipsis(lines[:max_lines], font, width)
    return lines


def credit_text(credit: str, font: Font) -> str:
    """"— Name, RP"; nothing at all when there is no credit to show."""
    if not credit.strip():
        return ""
    # Pillow's bundled font has no em dash; a hyphen reads better than a missing-glyph box.
    dash = "—" if has_glyph(font, "—") else "-"
    return f"{dash} {credit.strip()}"


@lru_cache(maxsize=64)
def has_glyph(font: Font, char: str) -> bool:
    # A missing character is drawn as the font's .notdef box, as is U+FFFF (never a character).
    return glyph_pixels(font, char) != glyph_pixels(font, "\uffff")


def glyph_pixels(font: Font, char: str) -> bytes:
    image = Image.new("L", (2 * font.size, 2 * font.size))
    ImageDraw.Draw(image).text((0, 0), char, font=font, fill=255)
    return image.tobytes()


def render_quote_card(quote: str, credit: str, title: str) -> bytes:
    """A 1080×1080 PNG: the quote in readable type that wraps and shrinks to fit, the credit line, the feature's title."""
    image = Image.new("RGB", CARD_SIZE, BACKGROUND)
    draw = ImageDraw.Draw(image)
    width, height = CARD_SIZE

    title_font = load_font(SANS, TITLE_SIZE)
    title_lines = wrap_short_text(title, title_font, CONTENT_WIDTH, TITLE_MAX_LINES)
    title_line_height = round(TITLE_SIZE * SMALL_LEADING)
    title_top = height - MARGIN - len(title_lines) * title_line_height
    rule_top = title_top - RULE_GAP - RULE_THICKNESS
    draw.rectangle((MARGIN, rule_top, MARGIN + RULE_WIDTH - 1, rule_top + RULE_THICKNESS - 1), fill=ACCENT)
    draw_lines(draw, title_lines, MARGIN, title_top, title_font, title_line_height, MUTED_INK)

    credit_font = load_font(SERIF_ITALIC, CREDIT_SIZE)
    credit_lines = wrap_short_text(credit_text(credit, credit_font), credit_font, CONTENT_WIDTH, CREDIT_MAX_LINES)
    credit_line_height = round(CREDIT_SIZE * SMALL_LEADING)
    credit_height = len(credit_lines) * credit_line_height

    mark_font = load_font(SERIF, MARK_SIZE)
    mark_left, mark_top, mark_bottom = ink_extent(mark_font, OPENING_MARK)
    mark_height = mark_bottom - mark_top + MARK_GAP

    # The mark, quote and credit form one block, centred in the space above the
    # footer, so a short quote sits calmly in the middle instead of hugging the top.
    space_top, space_bottom = MARGIN, rule_top - FOOTER_GAP
    quote_box_height = space_bottom - space_top - mark_height - (CREDIT_GAP + credit_height if credit_lines else 0)
    layout = layout_quote(quote, CONTENT_WIDTH, quote_box_height)
    block = mark_height + layout.height + (CREDIT_GAP + credit_height if credit_lines else 0)
    top = space_top + (space_bottom - space_top - block) // 2

    draw.text((MARGIN - mark_left, top - mark_top), OPENING_MARK, font=mark_font, fill=ACCENT)
    quote_top = top + mark_height
    draw_lines(draw, layout.lines, MARGIN, quote_top, quote_font(layout.font_size), layout.line_height, INK)
    draw_lines(draw, credit_lines, MARGIN, quote_top + layout.height + CREDIT_GAP, credit_font, credit_line_height, INK)

    return png_bytes(image)


@lru_cache(maxsize=8)
def ink_extent(font: Font, text: str) -> tuple[int, int, int]:
    """Left, top and bottom of the inked pixels, relative to where the text is drawn.

    getbbox() reaches down to the baseline, far below a quotation mark's ink,
    which would leave a hole under the mark.
    """
    mask, (offset_x, offset_y) = font.getmask2(text)
    ink = mask.getbbox() or (0, 0, 0, 0)
    return offset_x + ink[0], offset_y + ink[1], offset_y + ink[3]


def draw_lines(
    draw: ImageDraw.ImageDraw, lines: Iterable[str], left: int, top: int, font: Font, line_height: int, fill: str
) -> None:
    y = top
    for line in lines:
        if line == PARAGRAPH_BREAK:
            y += paragraph_gap(line_height)
            continue
        draw.text((left, y), line, font=font, fill=fill)
        y += line_height


def png_bytes(image: Image.Image) -> bytes:
    # A new image has an empty .info and no pnginfo/exif is passed, so Pillow
    # writes only IHDR, IDAT and IEND: nothing about who wrote the quote.
    # zlib level 1 halves the encoding time (the bulk of a render) for a file
    # about a sixth larger (~100 kB); zlib's output is still byte-for-byte stable.
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=False, compress_level=PNG_COMPRESS_LEVEL)
    return buffer.getvalue()
