"""Square quote cards (PNG) and the link-preview image of a published feature.

A card shows exactly the published words of one quote, never fewer: when
they do not fit at a legible size there is no card for that quote, and
`card_problem` says why. Every script is drawn with real glyphs: each line is
split into runs by the first font of a chain that has the character, each run
is shaped by Raqm (joined Arabic, Devanagari conjuncts, right to left where
the script is) and the runs of a right-to-left line are ordered visually.

What was drawn is kept as data (`DrawnLine`, `DrawnRun`: the font file and
the text of every run), so tests and the publish page can check a card's
words without reading pixels.

The PNG carries pixels only: no text chunks, no EXIF, so a card of an
anonymous quote can never give its author away through metadata. The same
inputs always give the same bytes, which keeps the stored ETag stable.
"""
from __future__ import annotations

import io
import os
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from fontTools.ttLib import TTFont
from PIL import Image, ImageDraw, ImageFont, features

from curation.security import clean_text

CARD_SIZE = (1080, 1080)
SHARE_SIZE = (1200, 630)
SHARE_IMAGE_NUMBER = 0  # the link preview is stored beside the quote cards, numbered before the first quote

MARGIN = 90
CONTENT_WIDTH = CARD_SIZE[0] - 2 * MARGIN
# Runs are measured word by word but drawn whole; a little room absorbs the
# kerning between a word and its space that the sum of words does not see.
WRAP_SLACK = 6

BACKGROUND = "#f7f3ec"
INK = "#2b2b2b"
MUTED_INK = "#5e5a54"  # the title steps back from the quote, still ~6:1 contrast on the cream
ACCENT = "#5b7f6e"

QUOTE_MAX_SIZE = 64
QUOTE_MIN_SIZE = 30  # body text is never set smaller: below it the card is not made
QUOTE_SIZE_STEP = 2
QUOTE_LEADING = 1.42
MARK_SIZE = 190
PNG_COMPRESS_LEVEL = 1
CREDIT_SIZE = 34
TITLE_SIZE = 30
FOOTER_SIZE = 26
SMALL_LEADING = 1.4

MARK_GAP = 18  # between the opening mark and the first line of the quote
CREDIT_GAP = 40  # between the quote and its credit
FOOTER_GAP = 56  # keeps the title clearly apart from the quote it belongs to
SERIES_GAP = 14  # between the title and the series line under it
RULE_WIDTH = 64
RULE_THICKNESS = 3
RULE_GAP = 24

SHARE_MARGIN = 80
SHARE_TITLE_MAX_SIZE = 68
SHARE_TITLE_MIN_SIZE = 32
SHARE_SERIES_SIZE = 34
SHARE_PRACTICE_SIZE = 30

OPENING_MARK = "“"
PARAGRAPH_BREAK = ""  # stands in a line list where a blank line separated paragraphs

# Debian: fonts-noto-core, fonts-noto-cjk, fonts-noto-color-emoji, fonts-dejavu-core.
_NOTO = "/usr/share/fonts/truetype/noto"
_NOTO_CJK = "/usr/share/fonts/opentype/noto"
_DEJAVU = "/usr/share/fonts/truetype/dejavu"
EMOJI = os.path.join(_NOTO, "NotoColorEmoji.ttf")
EMOJI_SIZE = 109  # Noto Color Emoji is a bitmap font with this one strike; runs are scaled from it
CJK_INDEX = 2  # the Simplified Chinese face of the collection; Raqm's language picks local forms


@dataclass(frozen=True)
class Face:
    path: str
    index: int = 0  # the face inside a .ttc collection

    @property
    def is_bitmap(self) -> bool:
        return self.path == EMOJI


def _chain(latin: str, hebrew: str, devanagari: str, cjk: str, dejavu: str) -> tuple[Face, ...]:
    return (
        Face(os.path.join(_NOTO, latin)),
        Face(os.path.join(_NOTO, "NotoNaskhArabic-Regular.ttf")),
        Face(os.path.join(_NOTO, "NotoSansArabic-Regular.ttf")),
        Face(os.path.join(_NOTO, hebrew)),
        Face(os.path.join(_NOTO, devanagari)),
        Face(os.path.join(_NOTO_CJK, cjk), CJK_INDEX),
        Face(EMOJI),
        Face(os.path.join(_DEJAVU, dejavu)),
    )


SERIF = _chain("NotoSerif-Regular.ttf", "NotoSerifHebrew-Regular.ttf", "NotoSerifDevanagari-Regular.ttf",
               "NotoSerifCJK-Regular.ttc", "DejaVuSerif.ttf")
SERIF_ITALIC = _chain("NotoSerif-Italic.ttf", "NotoSerifHebrew-Regular.ttf", "NotoSerifDevanagari-Regular.ttf",
                      "NotoSerifCJK-Regular.ttc", "DejaVuSerif-Italic.ttf")
SANS = _chain("NotoSans-Regular.ttf", "NotoSansHebrew-Regular.ttf", "NotoSansDevanagari-Regular.ttf",
              "NotoSansCJK-Regular.ttc", "DejaVuSans.ttf")

Font = ImageFont.FreeTypeFont
HAS_RAQM = features.check("raqm")


class CardWontFit(Exception):
    """The exact words cannot be set at a legible size; `reason` says so in plain words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class DrawnRun:
    font_path: str  # "" for Pillow's bundled font on a machine without the font packages
    text: str


@dataclass(frozen=True)
class DrawnLine:
    role: str  # quote, credit, title, series, practice
    text: str
    runs: tuple[DrawnRun, ...]  # in reading (logical) order
    break_after: str  # " " where the line broke at a space, "\n" at the author's line break, "" between CJK characters


@dataclass(frozen=True)
class RenderedCard:
    png: bytes
    lines: tuple[DrawnLine, ...]

    def text_of(self, role: str) -> str:
        """The words drawn in one role, the line breaks undone."""
        return rejoin([line for line in self.lines if line.role == role])


def rejoin(lines: Sequence[DrawnLine | Line | str]) -> str:
    """Lines back into the text they were wrapped from: a blank line between paragraphs."""
    text, joiner = "", ""
    for line in lines:
        if isinstance(line, str) or line.text == PARAGRAPH_BREAK:
            text, joiner = text + "\n\n", ""
            continue
        text += joiner + line.text
        joiner = line.break_after
    return text


# --- fonts ------------------------------------------------------------------


@cache
def installed(chain: tuple[Face, ...]) -> tuple[Face, ...]:
    return tuple(face for face in chain if os.path.isfile(face.path))


@cache
def codepoints(face: Face) -> frozenset[int]:
    with TTFont(face.path, fontNumber=face.index, lazy=True) as font:
        return frozenset(font.getBestCmap())


@lru_cache(maxsize=256)
def load_font(face: Face | None, size: int) -> Font:
    """The face at this size; Pillow's bundled font (ASCII only) when no font package is installed."""
    if face is None:
        return ImageFont.load_default(size=size)  # type: ignore[return-value]
    if face.is_bitmap:
        size = EMOJI_SIZE
    engine = ImageFont.Layout.RAQM if HAS_RAQM else ImageFont.Layout.BASIC
    return ImageFont.truetype(face.path, size, index=face.index, layout_engine=engine)


def quote_font(size: int) -> Font:
    faces = installed(SERIF)
    return load_font(faces[0] if faces else None, size)


def _sticks(char: str) -> bool:
    """Marks, joiners and variation selectors belong to the character before them."""
    return unicodedata.category(char) in ("Mn", "Mc", "Me", "Cf") or 0xFE00 <= ord(char) <= 0xFE0F \
        or 0x1F3FB <= ord(char) <= 0x1F3FF or 0xE0020 <= ord(char) <= 0xE007F


def _is_neutral(char: str) -> bool:
    # Spaces, punctuation and digits are shared by scripts: they stay in the run they are in.
    return unicodedata.bidirectional(char) in ("WS", "ON", "CS", "ES", "ET", "EN", "AN", "B", "S", "BN", "NSM")


def face_for(char: str, faces: tuple[Face, ...], current: Face | None) -> Face | None:
    if current is not None and (_sticks(char) or (_is_neutral(char) and ord(char) in codepoints(current))):
        return current
    for face in faces:
        if ord(char) in codepoints(face):
            return face
    return current or (faces[-1] if faces else None)


# --- direction ----------------------------------------------------------------


def _strong(char: str) -> str | None:
    bidi = unicodedata.bidirectional(char)
    if bidi in ("R", "AL"):
        return "R"
    if bidi in ("L", "EN", "AN"):  # numbers read left to right inside any line
        return "L"
    return None


def base_is_rtl(text: str) -> bool:
    """The paragraph's direction from its first strong letter (Unicode's rule P2)."""
    for char in text:
        bidi = unicodedata.bidirectional(char)
        if bidi in ("R", "AL"):
            return True
        if bidi == "L":
            return False
    return False


def _levels(text: str, rtl: bool) -> list[int]:
    """An embedding level per character: odd is right to left."""
    base = 1 if rtl else 0
    directions = [_strong(c) for c in text]
    resolved: list[str] = []
    i = 0
    while i < len(text):
        if directions[i] is not None:
            resolved.append(directions[i])  # type: ignore[arg-type]
            i += 1
            continue
        j = i
        while j < len(text) and directions[j] is None:
            j += 1
        before = resolved[-1] if resolved else None
        after = directions[j] if j < len(text) else None
        side = before if before is not None and before == after else ("R" if rtl else "L")
        if _sticks(text[i]) and before is not None:
            side = before
        resolved.extend([side] * (j - i))
        i = j
    return [(1 if d == "R" else 0) if base == 0 else (1 if d == "R" else 2) for d in resolved]


@dataclass(frozen=True)
class Run:
    face: Face | None
    text: str
    level: int

    @property
    def direction(self) -> str:
        return "rtl" if self.level % 2 else "ltr"


def runs_of(text: str, faces: tuple[Face, ...], rtl: bool) -> list[Run]:
    """The text cut where its font or its direction changes, in reading order."""
    runs: list[Run] = []
    current: Face | None = None
    levels = _levels(text, rtl)
    start = 0
    for i, char in enumerate(text):
        face = face_for(char, faces, current) if faces else None
        if i and (face != current or levels[i] != levels[i - 1]):
            runs.append(Run(current, text[start:i], levels[i - 1]))
            start = i
        current = face
    if text:
        runs.append(Run(current, text[start:], levels[-1]))
    return runs


def visual_order(runs: list[Run]) -> list[Run]:
    """Unicode's rule L2: from the highest level down, reverse every stretch at that level or above."""
    ordered = list(runs)
    if not ordered:
        return ordered
    highest = max(r.level for r in ordered)
    lowest_odd = min((r.level for r in ordered if r.level % 2), default=highest + 1)
    for level in range(highest, lowest_odd - 1, -1):
        i = 0
        while i < len(ordered):
            if ordered[i].level >= level:
                j = i
                while j < len(ordered) and ordered[j].level >= level:
                    j += 1
                ordered[i:j] = reversed(ordered[i:j])
                i = j
            else:
                i += 1
    return ordered


# --- measuring ------------------------------------------------------------------


def _language(text: str) -> str | None:
    # Han characters differ by region; kana or hangul tell which, Chinese otherwise.
    if re.search(r"[\u3040-\u30ff]", text):
        return "ja"
    if re.search(r"[\uac00-\ud7af\u1100-\u11ff]", text):
        return "ko"
    if re.search(r"[\u4e00-\u9fff\u3400-\u4dbf]", text):
        return "zh"
    return None


def _layout_options(run: Run) -> dict:
    if not HAS_RAQM or run.face is None:
        return {}
    options: dict = {"direction": run.direction}
    language = _language(run.text)
    if language:
        options["language"] = language
    return options


def _scale(run: Run, size: int) -> float:
    return size / EMOJI_SIZE if run.face is not None and run.face.is_bitmap else 1.0


@lru_cache(maxsize=16384)
def run_length(run: Run, size: int) -> float:
    font = load_font(run.face, size)
    return font.getlength(run.text, **_layout_options(run)) * _scale(run, size)


@dataclass(frozen=True)
class Style:
    faces: tuple[Face, ...]
    size: int

    @classmethod
    def of(cls, chain: tuple[Face, ...], size: int) -> Style:
        return cls(installed(chain), size)


def text_width(text: str, style: Style, rtl: bool = False) -> float:
    return sum(run_length(run, style.size) for run in runs_of(text, style.faces, rtl))


# --- wrapping -------------------------------------------------------------------


def _breaks_anywhere(char: str) -> bool:
    # Chinese and Japanese put no spaces between words: a line may break before any of these.
    code = ord(char)
    return 0x3040 <= code <= 0x30FF or 0x3400 <= code <= 0x4DBF or 0x4E00 <= code <= 0x9FFF \
        or 0xF900 <= code <= 0xFAFF or 0x20000 <= code <= 0x2FFFF


def tokens(words: list[str]) -> Iterator[tuple[str, bool]]:
    """Pieces a line may break between, each with whether a space comes before it."""
    for word in words:
        piece, space = "", True
        for char in word:
            if piece and _breaks_anywhere(char):
                yield piece, space
                piece, space = "", False
            piece += char
        yield piece, space


def normalized(text: str) -> str:
    """The text as a card sets it: NFC, paragraphs apart by one blank line, words by one space."""
    return "\n\n".join(
        "\n".join(" ".join(words) for words in hard_lines) for hard_lines in split_paragraphs(text)
    )


def split_paragraphs(text: str) -> list[list[list[str]]]:
    """Paragraphs of hard lines of words, as the author typed them.

    A blank line separates paragraphs; a single newline is kept as a line
    break, as in the feature page and its Markdown. NFC keeps an accent on its
    letter even when the text arrived decomposed.
    """
    text = unicodedata.normalize("NFC", clean_text(text))
    paragraphs = []
    for block in re.split(r"\n[ \t]*\n", text.strip()):
        hard_lines = [line.split() for line in block.split("\n")]
        hard_lines = [words for words in hard_lines if words]
        if hard_lines:
            paragraphs.append(hard_lines)
    return paragraphs


@dataclass(frozen=True)
class Line:
    text: str
    break_after: str  # as in DrawnLine


class _TooWide(Exception):
    """One unbreakable piece is wider than the line."""


def wrap(words: list[str], style: Style, width: int) -> Iterator[Line]:
    """Greedy wrapping by measured width; nothing is ever hyphenated or cut."""
    rtl = base_is_rtl(" ".join(words))
    space = text_width(" ", style)
    limit = width - WRAP_SLACK
    line, line_width = "", 0.0
    for piece, space_before in tokens(words):
        piece_width = text_width(piece, style, rtl)
        gap = space if space_before else 0.0
        if line and line_width + gap + piece_width <= limit:
            line += (" " if space_before else "") + piece
            line_width += gap + piece_width
            continue
        if piece_width > limit:
            raise _TooWide(piece)
        if line:
            yield Line(line, " " if space_before else "")
        line, line_width = piece, piece_width
    if line:
        yield Line(line, "")


def text_lines(text: str, style: Style, width: int) -> Iterator[Line | str]:
    """A text's lines, paragraph breaks as PARAGRAPH_BREAK, lazily so a full box stops the wrapping.

    Each line ends with how it broke: at a space, at the author's own line
    break, or between two CJK characters, so that `rejoin` gives the text back.
    """
    previous: Line | str | None = None
    for number, hard_lines in enumerate(split_paragraphs(text)):
        if number:
            if previous is not None:
                yield previous
            previous = PARAGRAPH_BREAK
        for words in hard_lines:
            if isinstance(previous, Line):
                previous = Line(previous.text, "\n")
            for line in wrap(words, style, width):
                if previous is not None:
                    yield previous
                previous = line
    if previous is not None:
        yield previous


def wrap_text(text: str, style: Style, width: int) -> list[Line | str]:
    return list(text_lines(text, style, width))


def block_height(lines: Sequence[Line | str], line_height: int) -> int:
    return sum(line_height // 2 if isinstance(line, str) else line_height for line in lines)


@dataclass(frozen=True)
class QuoteLayout:
    lines: tuple[Line | str, ...]  # PARAGRAPH_BREAK ("") marks a gap between paragraphs
    font_size: int
    line_height: int

    @property
    def height(self) -> int:
        return block_height(self.lines, self.line_height)


def quote_line_height(size: int) -> int:
    return round(size * QUOTE_LEADING)


def layout_quote(quote: str, box_width: int, box_height: int) -> QuoteLayout | None:
    """The whole quote at the largest size that fits the box; None when even the smallest does not.

    Fitting is nearly monotonic in the size, so a binary search over the
    allowed sizes finds it in a handful of trial wraps; each trial stops as
    soon as the box is full, so a 5,000-word answer costs little.
    """
    sizes = list(range(QUOTE_MIN_SIZE, QUOTE_MAX_SIZE + 1, QUOTE_SIZE_STEP))
    best: QuoteLayout | None = None
    low, high = 0, len(sizes) - 1
    while low <= high:
        middle = (low + high) // 2
        size = sizes[middle]
        lines = fill_box(quote, Style.of(SERIF, size), box_width, box_height, quote_line_height(size))
        if lines is not None:
            best = QuoteLayout(tuple(lines), size, quote_line_height(size))
            low = middle + 1
        else:
            high = middle - 1
    return best


def fill_box(text: str, style: Style, width: int, height: int, line_height: int) -> list[Line | str] | None:
    """All lines of the text if they fit the box, else None (found as soon as the box is full)."""
    lines: list[Line | str] = []
    used = 0
    try:
        for line in text_lines(text, style, width):
            used += line_height // 2 if isinstance(line, str) else line_height
            if used > height:
                return None
            lines.append(line)
    except _TooWide:
        return None
    return lines


# --- drawing --------------------------------------------------------------------


def draw_line(
    image: Image.Image, line: Line, style: Style, role: str, left: int, right: int, baseline: int, fill: str
) -> DrawnLine:
    """One line, its runs in visual order, aligned to the side its direction starts from."""
    rtl = base_is_rtl(line.text)
    runs = runs_of(line.text, style.faces, rtl)
    width = sum(run_length(run, style.size) for run in runs)
    x = right - width if rtl else left
    draw = ImageDraw.Draw(image)
    for run in visual_order(runs):
        font = load_font(run.face, style.size)
        if run.face is not None and run.face.is_bitmap:
            _paste_emoji(image, run, font, style.size, x, baseline)
        elif run.face is None:
            draw.text((x, baseline), run.text, font=font, fill=fill, anchor="ls")
        else:
            draw.text((x, baseline), run.text, font=font, fill=fill, anchor="ls", **_layout_options(run))
        x += run_length(run, style.size)
    return DrawnLine(role, line.text, tuple(DrawnRun(r.face.path if r.face else "", r.text) for r in runs),
                     line.break_after)


def _paste_emoji(image: Image.Image, run: Run, font: Font, size: int, x: float, baseline: int) -> None:
    ascent, descent = font.getmetrics()
    width = max(1, round(font.getlength(run.text, **_layout_options(run))))
    strip = Image.new("RGBA", (width, ascent + descent), (0, 0, 0, 0))
    ImageDraw.Draw(strip).text((0, ascent), run.text, font=font, anchor="ls", embedded_color=True,
                               **_layout_options(run))
    scale = size / EMOJI_SIZE
    strip = strip.resize((max(1, round(strip.width * scale)), max(1, round(strip.height * scale))),
                         Image.Resampling.LANCZOS)
    image.paste(strip, (round(x), baseline - round(ascent * scale)), strip)


def draw_block(
    image: Image.Image, lines: Sequence[Line | str], style: Style, role: str,
    left: int, right: int, top: int, line_height: int, fill: str,
) -> list[DrawnLine | str]:
    """Lines from `top`, each baseline placed where the line's ascent ends."""
    ascent = round(style.size * 1.07)  # Noto's ascender; DejaVu's is close
    drawn: list[DrawnLine | str] = []
    y = top
    for line in lines:
        if isinstance(line, str):
            y += line_height // 2
            drawn.append(PARAGRAPH_BREAK)
            continue
        drawn.append(draw_line(image, line, style, role, left, right, y + ascent, fill))
        y += line_height
    return drawn


@lru_cache(maxsize=8)
def ink_extent(font: Font, text: str) -> tuple[int, int, int]:
    """Left, top and bottom of the inked pixels, relative to where the text is drawn.

    getbbox() reaches down to the baseline, far below a quotation mark's ink,
    which would leave a hole under the mark.
    """
    mask, (offset_x, offset_y) = font.getmask2(text)
    ink = mask.getbbox() or (0, 0, 0, 0)
    return offset_x + ink[0], offset_y + ink[1], offset_y + ink[3]


def credit_text(credit: str) -> str:
    """"— Name, RP"; nothing at all when there is no credit to show."""
    credit = " ".join(clean_text(credit).split())
    return f"— {credit}" if credit else ""


def footer_text(series: str, practice: str) -> str:
    return " · ".join(part for part in (" ".join(clean_text(series).split()), " ".join(clean_text(practice).split())) if part)


@dataclass(frozen=True)
class _Frame:
    """What every card of a series and practice shares, drawn once."""

    image: Image.Image
    footer: tuple[DrawnLine | str, ...]
    footer_top: int


@lru_cache(maxsize=16)
def card_frame(series: str, practice: str) -> _Frame:
    image = Image.new("RGB", CARD_SIZE, BACKGROUND)
    style = Style.of(SANS, FOOTER_SIZE)
    line_height = round(FOOTER_SIZE * SMALL_LEADING)
    lines = _wrap_or_refuse(footer_text(series, practice), style, CONTENT_WIDTH, "series and practice name")
    top = CARD_SIZE[1] - MARGIN - len(lines) * line_height
    drawn = draw_block(image, lines, style, "series", MARGIN, MARGIN + CONTENT_WIDTH, top, line_height, ACCENT)
    return _Frame(image, tuple(drawn), top)


def _wrap_or_refuse(text: str, style: Style, width: int, what: str) -> list[Line | str]:
    try:
        return wrap_text(text, style, width)
    except _TooWide:
        raise CardWontFit(f"A word of the {what} is too long for one line of the card.") from None


@dataclass(frozen=True)
class _CardPlan:
    title: list[Line | str]
    credit: list[Line | str]
    quote: QuoteLayout
    top: int
    rule_top: int
    title_top: int


def plan_card(quote: str, credit: str, title: str, series: str = "", practice: str = "") -> _CardPlan:
    """Where everything goes, or CardWontFit with the reason; nothing is drawn."""
    frame = card_frame(series, practice)
    title_style = Style.of(SANS, TITLE_SIZE)
    title_line_height = round(TITLE_SIZE * SMALL_LEADING)
    title_lines = _wrap_or_refuse(" ".join(clean_text(title).split()), title_style, CONTENT_WIDTH, "title")
    title_top = frame.footer_top - SERIES_GAP - block_height(title_lines, title_line_height)
    rule_top = title_top - RULE_GAP - RULE_THICKNESS

    credit_line_height = round(CREDIT_SIZE * SMALL_LEADING)
    credit_lines = _wrap_or_refuse(credit_text(credit), Style.of(SERIF_ITALIC, CREDIT_SIZE), CONTENT_WIDTH, "credit")
    credit_height = CREDIT_GAP + block_height(credit_lines, credit_line_height) if credit_lines else 0

    _, mark_top, mark_bottom = ink_extent(_mark_font(), OPENING_MARK)
    mark_height = mark_bottom - mark_top + MARK_GAP
    # The mark, quote and credit form one block, centred in the space above the
    # footer, so a short quote sits calmly in the middle instead of hugging the top.
    space_top, space_bottom = MARGIN, rule_top - FOOTER_GAP
    box_height = space_bottom - space_top - mark_height - credit_height
    if not normalized(quote):
        raise CardWontFit("The quote has no words to show.")
    layout = layout_quote(quote, CONTENT_WIDTH, box_height)
    if layout is None:
        raise CardWontFit(
            f"The quote is too long for a card at a legible size ({QUOTE_MIN_SIZE} px); "
            "a card excerpt the author accepts would make one."
        )
    block = mark_height + layout.height + credit_height
    top = space_top + (space_bottom - space_top - block) // 2
    return _CardPlan(title_lines, credit_lines, layout, top, rule_top, title_top)


def card_problem(quote: str, credit: str, title: str, series: str = "", practice: str = "") -> str | None:
    """Why this quote gets no card, or None when it gets one."""
    try:
        plan_card(quote, credit, title, series, practice)
    except CardWontFit as refusal:
        return refusal.reason
    return None


def _mark_font() -> Font:
    faces = installed(SERIF)
    return load_font(faces[0] if faces else None, MARK_SIZE)


def render_quote_card(quote: str, credit: str, title: str, series: str = "", practice: str = "") -> RenderedCard:
    """A 1080×1080 PNG of exactly these words, its credit, the feature's title, the series and practice.

    Raises CardWontFit when the words cannot all be set at a legible size.
    """
    plan = plan_card(quote, credit, title, series, practice)
    frame = card_frame(series, practice)
    image = frame.image.copy()
    draw = ImageDraw.Draw(image)
    right = MARGIN + CONTENT_WIDTH
    draw.rectangle((MARGIN, plan.rule_top, MARGIN + RULE_WIDTH - 1, plan.rule_top + RULE_THICKNESS - 1), fill=ACCENT)
    drawn = draw_block(image, plan.title, Style.of(SANS, TITLE_SIZE), "title", MARGIN, right, plan.title_top,
                       round(TITLE_SIZE * SMALL_LEADING), MUTED_INK)

    mark_font = _mark_font()
    mark_left, mark_top, mark_bottom = ink_extent(mark_font, OPENING_MARK)
    # The mark opens the quote where its reading starts: on the right for Arabic or Hebrew.
    mark_x = MARGIN - mark_left
    if base_is_rtl(quote):
        mark_x = right - round(mark_font.getlength(OPENING_MARK)) + mark_left
    draw.text((mark_x, plan.top - mark_top), OPENING_MARK, font=mark_font, fill=ACCENT)
    quote_top = plan.top + mark_bottom - mark_top + MARK_GAP
    layout = plan.quote
    drawn += draw_block(image, layout.lines, Style.of(SERIF, layout.font_size), "quote", MARGIN, right, quote_top,
                        layout.line_height, INK)
    drawn += draw_block(image, plan.credit, Style.of(SERIF_ITALIC, CREDIT_SIZE), "credit", MARGIN, right,
                        quote_top + layout.height + CREDIT_GAP, round(CREDIT_SIZE * SMALL_LEADING), INK)
    drawn += list(frame.footer)
    return RenderedCard(png_bytes(image), _kept(drawn))


def _kept(drawn: list[DrawnLine | str]) -> tuple[DrawnLine, ...]:
    # A paragraph break is kept as an empty line of the role it falls in.
    lines: list[DrawnLine] = []
    for line in drawn:
        if isinstance(line, str):
            lines.append(DrawnLine(lines[-1].role, PARAGRAPH_BREAK, (), ""))
        else:
            lines.append(line)
    return tuple(lines)


@lru_cache(maxsize=4)
def share_frame() -> Image.Image:
    image = Image.new("RGB", SHARE_SIZE, BACKGROUND)
    ImageDraw.Draw(image).rectangle((0, 0, 23, SHARE_SIZE[1] - 1), fill=ACCENT)
    return image


def render_share_image(title: str, series: str, practice: str) -> RenderedCard:
    """The 1200×630 link preview: the title as large as fits, the series and the practice under it."""
    image = share_frame().copy()
    left, right = SHARE_MARGIN, SHARE_SIZE[0] - SHARE_MARGIN
    width = right - left
    series_style, practice_style = Style.of(SANS, SHARE_SERIES_SIZE), Style.of(SANS, SHARE_PRACTICE_SIZE)
    series_lines = _wrap_or_refuse(" ".join(clean_text(series).split()), series_style, width, "series name")
    practice_lines = _wrap_or_refuse(" ".join(clean_text(practice).split()), practice_style, width, "practice name")
    series_height = block_height(series_lines, round(SHARE_SERIES_SIZE * SMALL_LEADING))
    practice_height = block_height(practice_lines, round(SHARE_PRACTICE_SIZE * SMALL_LEADING))
    bottom = SHARE_SIZE[1] - SHARE_MARGIN
    box = bottom - SHARE_MARGIN - series_height - practice_height - FOOTER_GAP
    title_text = " ".join(clean_text(title).split())
    for size in range(SHARE_TITLE_MAX_SIZE, SHARE_TITLE_MIN_SIZE - 1, -2):
        line_height = round(size * 1.25)
        title_lines = fill_box(title_text, Style.of(SERIF, size), width, box, line_height)
        if title_lines is not None:
            break
    else:
        raise CardWontFit("The title is too long for the link preview.")
    drawn = draw_block(image, title_lines, Style.of(SERIF, size), "title", left, right, SHARE_MARGIN, line_height, INK)
    top = bottom - series_height - practice_height
    drawn += draw_block(image, series_lines, series_style, "series", left, right, top,
                        round(SHARE_SERIES_SIZE * SMALL_LEADING), ACCENT)
    drawn += draw_block(image, practice_lines, practice_style, "practice", left, right, top + series_height,
                        round(SHARE_PRACTICE_SIZE * SMALL_LEADING), MUTED_INK)
    return RenderedCard(png_bytes(image), _kept(drawn))


def png_bytes(image: Image.Image) -> bytes:
    # A new image has an empty .info and no pnginfo/exif is passed, so Pillow
    # writes only IHDR, IDAT and IEND: nothing about who wrote the quote.
    # zlib level 1 halves the encoding time (the bulk of a render) for a file
    # about a sixth larger (~100 kB); zlib's output is still byte-for-byte stable.
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=False, compress_level=PNG_COMPRESS_LEVEL)
    return buffer.getvalue()
