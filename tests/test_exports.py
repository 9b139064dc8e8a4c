"""What a published feature becomes beyond its page: Markdown, a paste-ready
HTML fragment and one image card per quote, all made once, at publish time,
from the same frozen snapshot."""
from __future__ import annotations

import html
import io
import re
import struct
from types import SimpleNamespace

import html5lib
import pytest
from jinja2 import ChoiceLoader, DictLoader
from markdown_it import MarkdownIt
from PIL import Image
from sqlalchemy import select

from curation.models import ChallengeState, QuoteCard, SiteSetting
from curation.publishing import cards
from curation.publishing import services as publishing
from curation.review import services as review
from tests.conftest import PRACTICE, fresh, run_jobs

SLUG = "what-do-therapists-really-think-about-empathy"
BOOKING_URL = PRACTICE["booking_url"]

# Markdown and HTML injection families: links, images, autolinks, raw HTML,
# entity-encoded schemes, link titles that break out of their quotes.
PAYLOADS = (
    "[click](javascript:alert(1))",
    "[x](javascript&#58;alert(1))",
    '[x](  javascript:alert(1)  "title")',
    "[x](https://evil.example/ \"t\\\" onmouseover=\\\"alert(1)\")",
    "[x][ref]\n\n[ref]: https://evil.example/",
    "![img](x\" onerror=\"alert(1))",
    "![x](javascript:alert(1))",
    "![tracker](https://evil.example/pixel.png)",
    "<javascript:alert(1)>",
    "<https://evil.example/>",
    "<me@evil.example>",
    "[<img src=x onerror=alert(1)>](https://example.com)",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    "<div style=\"background:url(javascript:alert(1))\">css</div>",
    "<!-- a comment -->",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "`<script>` and ```code```",
    "    indented <b>code</b>",
    "# a heading\n---\n* a list\n1. a numbered list\n> a quote",
    "\\[escaped\\](https://evil.example/)",
    "[x]\n(https://evil.example/)",
)


def _publish(app, session, challenge, editor, **kw):
    # Snapshots hold absolute links, so publishing needs a request context;
    # one is pushed only around the call, so test-client requests keep theirs.
    with app.test_request_context():
        publication = publishing.publish(session, challenge, editor, **kw)
    session.commit()
    return publication


@pytest.fixture
def edition(app, make, session):
    """Three approved quotes, put in an order that is not the order of arrival,
    one of them credited anonymously, published."""
    editor = make.editor()
    challenge = make.challenge(
        editor,
        title="What Do Therapists Really Think About Empathy?",
        topic="Empathy",
        question="In your own words, what is empathy, and how can we harness it?",
        intro="We asked our therapists about empathy.",
        challengers="Psychotherapists",
        outro="Join us next time for another question.",
    )
    maya = make.therapist(name="Maya Okafor", credentials="RP", email="maya.okafor@example.org")
    liam = make.therapist(name="Liam Brennan", credentials="MSW, RSW", email="liam.brennan@example.org")
    noor = make.therapist(name="Noor Haddad", credentials="RP (Qualifying)", email="noor.haddad@example.org")
    first = make.approved(challenge, editor, maya, body="Empathy is staying in the room when it gets hard.")
    second = make.approved(challenge, editor, liam, body="Empathy is listening twice before answering once.", credit="first")
    third = make.approved(
        challenge, editor, noor, body="Empathy is borrowed courage.\n\nIt is lent, never owed.", credit="anonymous"
    )
    review.save_order(
        session, challenge, editor, answer_ids=[second.id, third.id, first.id], version=challenge.order_version
    )
    challenge.state = ChallengeState.CLOSED
    session.commit()
    publication = _publish(app, session, challenge, editor)
    run_jobs(app)  # the cards, as the sender thread draws them after the publish
    return SimpleNamespace(
        editor=editor, challenge=challenge, publication=publication, anonymous=noor, anonymous_answer=third,
        answers=[second, third, first],
    )


def _visible_text(markup: str) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", " ", markup))
    return re.sub(r"\s+", " ", text)


def _assert_in_order(text: str, parts: list[str]) -> None:
    position = 0
    for part in parts:
        found = text.find(part, position)
        assert found >= 0, f"{part!r} is missing, or out of order, after position {position}"
        position = found + len(part)


IN_ORDER = [
    "What Do Therapists Really Think About Empathy?",
    "We asked our therapists about empathy.",
    "Today's Challenge",
    "The Challenge", "Empathy",
    "The Challengers", "Psychotherapists",
    "The Results", "3 therapists took the challenge. Here are 3 of their answers",
    "In your own words, what is empathy, and how can we harness it?",
    "Empathy is listening twice before answering once.", "Liam, MSW, RSW",
    "Empathy is borrowed courage.", "It is lent, never owed.", "A registered psychotherapist",
    "Empathy is staying in the room when it gets hard.", "Maya Okafor, RP",
    "Join us next time for another question.",
    "Book a free 15-minute consultation", "Book a consultation",
]


def test_the_fragment_holds_the_whole_feature_in_the_editors_order(edition, client):
    fragment = client.get(f"/features/{SLUG}/fragment.html").get_data(as_text=True)
    _assert_in_order(_visible_text(fragment), IN_ORDER)
    assert f'href="{BOOKING_URL}"' in fragment


def test_the_markdown_holds_the_whole_feature_in_the_editors_order(edition, client):
    response = client.get(f"/features/{SLUG}.md")
    assert response.status_code == 200 and response.mimetype == "text/markdown"
    rendered = MarkdownIt("commonmark").render(response.get_data(as_text=True))
    _assert_in_order(_visible_text(rendered), IN_ORDER)
    assert rendered.count("<blockquote>") == 4  # the question and three quotes
    assert "<h1>What Do Therapists Really Think About Empathy?</h1>" in rendered


def test_the_fragment_pastes_into_a_page_without_scripts_styles_or_a_document(edition, client):
    fragment = client.get(f"/features/{SLUG}/fragment.html").get_data(as_text=True)
    lowered = fragment.lower()
    for forbidden in ("<script", "<style", "style=", "<html", "<head", "<body", "<link", "<meta", "<!doctype", "<!--"):
        assert forbidden not in lowered
    tree = html5lib.parseFragment(fragment, namespaceHTMLElements=False)
    for element in tree.iter():
        assert not [name for name in element.attrib if name.lower().startswith("on")]


def _tokens(markdown: str):
    for token in MarkdownIt("commonmark").parse(markdown):
        yield token
        yield from token.children or ()


def test_answer_text_cannot_become_a_link_an_image_or_html_in_the_markdown(app, make, session, client):
    editor = make.editor()
    challenge = make.challenge(editor, title="![t](https://evil.example/t.png) <b>Empathy</b>", topic="[t](https://evil.example/)")
    author = make.therapist(name="[Evil](javascript:alert(1)) <i>Name</i>", credentials="<b>RP</b>")
    body = "\n\n".join(PAYLOADS)
    make.approved(challenge, editor, author, body=body)
    make.approved(challenge, editor, body="<script>alert(2)</script> *and* [a](https://evil.example/)", credit="anonymous")
    challenge.state = ChallengeState.CLOSED
    session.commit()
    publication = _publish(app, session, challenge, editor)

    markdown = client.get(f"/features/{publication.slug}.md").get_data(as_text=True)
    tokens = list(_tokens(markdown))
    kinds = {token.type for token in tokens}
    assert not kinds & {"image", "html_block", "html_inline"}
    links = [token.attrGet("href") for token in tokens if token.type == "link_open"]
    assert links == [BOOKING_URL]
    rendered = MarkdownIt("commonmark").render(markdown)
    assert "<script" not in rendered and "<img" not in rendered and "<b>" not in rendered
    # the words arrive as they were typed, as text
    text = _visible_text(rendered)
    for typed in ("[click](javascript:alert(1))", "<script>alert(1)</script>", "![x](javascript:alert(1))"):
        assert typed in text


def test_answer_text_cannot_become_markup_in_the_fragment(app, make, session, client):
    editor = make.editor()
    challenge = make.challenge(editor)
    make.approved(challenge, editor, body="\n\n".join(PAYLOADS))
    challenge.state = ChallengeState.CLOSED
    session.commit()
    publication = _publish(app, session, challenge, editor)
    fragment = client.get(f"/features/{publication.slug}/fragment.html").get_data(as_text=True)
    tree = html5lib.parseFragment(fragment, namespaceHTMLElements=False)
    tags = {element.tag for element in tree.iter() if isinstance(element.tag, str)}
    assert tags <= {"DOCUMENT_FRAGMENT", "article", "h1", "h2", "p", "div", "section", "dl", "dt", "dd",
                    "blockquote", "ol", "li", "aside", "a", "br"}
    assert [a.get("href") for a in tree.iter("a")] == [BOOKING_URL]


def _links(page: str) -> dict[str, list[str]]:
    tree = html5lib.parse(page, namespaceHTMLElements=False)
    found: dict[str, list[str]] = {}
    for element in tree.iter():
        for attribute in ("href", "content"):
            value = element.get(attribute)
            if value:
                key = element.get("rel") or element.get("property") or element.get("name") or element.tag
                found.setdefault(key, []).append(value)
    return found


def test_every_export_is_reachable_from_the_published_page(edition, client):
    page = client.get(f"/features/{SLUG}").get_data(as_text=True)
    links = _links(page)
    reached = {}
    for target in (f"/features/{SLUG}.md", "/feed.atom", f"http://curation.test/features/{SLUG}/share.png"):
        assert any(target in href for hrefs in links.values() for href in hrefs), target
        response = client.get(target)
        assert response.status_code == 200
        reached[target] = response.mimetype
    assert list(reached.values()) == ["text/markdown", "application/atom+xml", "image/png"]
    assert links["og:image"] == links["twitter:image"] == [f"http://curation.test/features/{SLUG}/share.png"]


def test_the_editors_publish_page_offers_every_export_with_copy_buttons(edition, client, auth):
    auth.login(edition.editor)
    page = client.get(f"/editor/challenges/{edition.challenge.id}/publish").get_data(as_text=True)
    markdown = client.get(f"/features/{SLUG}.md").get_data(as_text=True)
    fragment = client.get(f"/features/{SLUG}/fragment.html").get_data(as_text=True)
    tree = html5lib.parse(page, namespaceHTMLElements=False)
    boxes = {t.get("id"): (t.text or "") for t in tree.iter("textarea")}
    copied = {b.get("data-copy-target") for b in tree.iter("button") if b.get("data-copy-target")}
    # what the Copy buttons copy is exactly what the public exports serve
    assert {boxes[target].strip() for target in copied} == {markdown.strip(), fragment.strip()}
    hrefs = [a.get("href") for a in tree.iter("a")]
    for export in (f"/features/{SLUG}.md", f"/features/{SLUG}/fragment.html", "/feed.atom"):
        assert export in hrefs
    cards_linked = [h for h in hrefs if h.startswith(f"/features/{SLUG}/quotes/")]
    assert cards_linked == [f"/features/{SLUG}/quotes/{n}.png" for n in (1, 2, 3)]
    assert all(client.get(h).status_code == 200 for h in cards_linked)


@pytest.mark.parametrize(
    "path", [f"/features/{SLUG}", f"/features/{SLUG}.md", f"/features/{SLUG}/fragment.html", f"/features/{SLUG}/quotes/1.png"]
)
def test_every_stored_output_answers_304_to_its_etag(edition, client, path):
    first = client.get(path)
    again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert first.status_code == 200 and again.status_code == 304 and again.get_data() == b""


def test_the_page_the_markdown_and_the_fragment_have_different_etags(edition, client):
    etags = {client.get(p).headers["ETag"] for p in (f"/features/{SLUG}", f"/features/{SLUG}.md", f"/features/{SLUG}/fragment.html")}
    assert len(etags) == 3


OUTPUTS = [f"/features/{SLUG}", f"/features/{SLUG}.md", f"/features/{SLUG}/fragment.html"] + [
    f"/features/{SLUG}/quotes/{n}.png" for n in (1, 2, 3)
]


def test_outputs_never_change_after_later_edits_to_answers_names_or_templates(app, edition, client, session):
    before = {path: client.get(path).get_data() for path in OUTPUTS}
    for answer in edition.answers:
        answer.body = "Something else entirely."
        answer.author.name = "Renamed Person"
        answer.author.credentials = "PhD"
    edition.anonymous_answer.credit = "full"
    edition.challenge.title = "A new title"
    edition.challenge.question = "A new question?"
    session.commit()
    snapshot_templates = {
        "snapshots/_body.html": "<p>A redesign</p>",
        "snapshots/feature.html": "<html>A redesign</html>",
        "snapshots/fragment.html": "<p>A redesign</p>",
    }
    app.jinja_env.loader = ChoiceLoader([DictLoader(snapshot_templates), app.jinja_env.loader])
    app.jinja_env.cache.clear()
    after = {path: client.get(path).get_data() for path in OUTPUTS}
    assert after == before


def test_each_quote_has_a_1080_square_card_made_and_stored_at_publish_time(edition, client, session, monkeypatch):
    stored = session.scalars(select(QuoteCard).filter_by(publication_id=edition.publication.id).order_by(QuoteCard.number)).all()
    assert [card.number for card in stored] == [0, 1, 2, 3]  # 0 is the link preview
    share, stored = stored[0], stored[1:]

    def no_rendering_now(*args, **kwargs):
        raise AssertionError("a card was drawn on request instead of served from storage")

    monkeypatch.setattr(cards, "render_quote_card", no_rendering_now)
    for number, card in enumerate(stored, start=1):
        response = client.get(f"/features/{SLUG}/quotes/{number}.png")
        assert response.status_code == 200 and response.mimetype == "image/png"
        assert response.get_data() == card.png
        image = Image.open(io.BytesIO(response.get_data()))
        assert (image.format, image.size) == ("PNG", (1080, 1080))
    assert client.get(f"/features/{SLUG}/quotes/4.png").status_code == 404
    assert client.get(f"/features/{SLUG}/quotes/0.png").status_code == 404
    response = client.get(f"/features/{SLUG}/share.png")
    assert response.status_code == 200 and response.get_data() == share.png
    assert Image.open(io.BytesIO(share.png)).size == (1200, 630)


def test_the_cards_follow_the_editors_order(edition, session):
    stored = session.scalars(select(QuoteCard).filter_by(publication_id=edition.publication.id).order_by(QuoteCard.number)).all()
    assert [card.answer_id for card in stored] == [None] + [answer.id for answer in edition.answers]


def test_cards_of_an_unpublished_feature_are_gone(app, edition, client, session):
    with app.test_request_context():
        publishing.unpublish(session, edition.challenge, edition.editor)
    session.commit()
    assert client.get(f"/features/{SLUG}/quotes/1.png").status_code == 404
    assert client.get(f"/features/{SLUG}.md").status_code == 404
    assert client.get(f"/features/{SLUG}/fragment.html").status_code == 404


def _png_chunks(png: bytes) -> list[bytes]:
    chunks, offset = [], 8
    while offset < len(png):
        length, kind = struct.unpack(">I4s", png[offset:offset + 8])
        chunks.append(kind)
        offset += 12 + length
    return chunks


IDENTIFYING = (
    "Noor", "Haddad", "noor", "haddad", "noor.haddad@example.org", "N. H.", "N.H.", "Qualifying",
    "Noor, RP", "Noor Haddad, RP",
)


def test_an_anonymous_author_stays_anonymous_in_every_output(edition, client, session):
    fresh(session)
    noor = edition.anonymous
    texts = {
        path: client.get(path).get_data(as_text=True)
        for path in (f"/features/{SLUG}", f"/features/{SLUG}.md", f"/features/{SLUG}/fragment.html", "/feed.atom", "/")
    }
    for path, text in texts.items():
        for leak in IDENTIFYING:
            assert leak not in text, (path, leak)
        assert "<!--" not in text, path
    for path in (f"/features/{SLUG}", f"/features/{SLUG}/fragment.html"):
        tree = html5lib.parse(texts[path], namespaceHTMLElements=False)
        for element in tree.iter():
            for name, value in element.attrib.items():
                assert "author" not in name.lower() and "author" not in value.lower(), (path, name, value)
                assert not re.search(rf"(user|author|answer)\W*({noor.id}|{edition.anonymous_answer.id})\b", value, re.I)
    for number in (1, 2, 3):
        png = client.get(f"/features/{SLUG}/quotes/{number}.png").get_data()
        for leak in IDENTIFYING:
            assert leak.encode() not in png
        assert set(_png_chunks(png)) <= {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND"}
        image = Image.open(io.BytesIO(png))
        assert not image.info.get("exif") and not getattr(image, "text", {})
    # the anonymous quote's card is the second; its credit is the site's anonymous line only
    assert "A registered psychotherapist" in texts[f"/features/{SLUG}"]


def test_the_feature_page_is_served_with_one_query(edition, client, count_queries):
    client.get(f"/features/{SLUG}")
    with count_queries() as statements:
        response = client.get(f"/features/{SLUG}")
    assert response.status_code == 200 and response.get_data() == edition.publication.html.encode()
    assert len(statements) == 1


def test_the_feature_page_may_be_framed_only_by_the_sites_the_editor_named(edition, client, session):
    assert "frame-ancestors 'none'" in client.get(f"/features/{SLUG}").headers["Content-Security-Policy"]
    session.add(SiteSetting(key="frame_ancestors", value="https://practice.example"))
    session.commit()
    response = client.get(f"/features/{SLUG}")
    assert "frame-ancestors 'self' https://practice.example" in response.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in response.headers
