"""Stored XSS: every payload into every field people fill, then every page and
output that shows it, parsed as a browser would.

Data is built once per test (one challenge with one answer per payload; one
challenge per payload; settings one payload at a time), so each payload meets
each page without an app per payload.
"""
import math
import re

import pytest
from markdown_it import MarkdownIt
from sqlalchemy import select

from curation.accounts import services as accounts
from curation.answers import services as answers
from curation.challenges import services as challenges
from curation.errors import Invalid
from curation.mail import services as mail
from curation.models import Answer, Challenge, OutboxMail, Role, Suggestion
from curation.publishing import cards
from curation.publishing import services as publishing
from curation.review import services as review
from curation.security import clean, clean_text, is_safe_link, one_line
from tests.conftest import PASSWORD, PRACTICE, csrf, fresh, publish_form
from tests.security.hostile_markup import (
    active_tag_counts,
    feed_problems,
    mail_problems,
    parse,
    payloads,
    problems,
    text_and_values,
)

HARMLESS = "Plain words about rest"
TEXTS = [HARMLESS] + payloads()
# What the intro/outro sanitizer may add to a page: the only markup people may type.
SANITIZED_TAGS = frozenset({"a", "em", "strong", "p", "br", "ul", "ol", "li", "blockquote"})
MARKDOWN_TAGS = frozenset({"code", "hr"})


@pytest.fixture
def no_card_images(monkeypatch):
    """Quote cards are PNGs, not markup; drawing hundreds would only cost time."""
    drawn = cards.RenderedCard(b"\x89PNG\r\n\x1a\n", ())
    monkeypatch.setattr(cards, "render_quote_card", lambda *args, **kwargs: drawn)
    monkeypatch.setattr(cards, "render_share_image", lambda *args, **kwargs: drawn)


def login_as(client, user):
    """Logged in without a password check (hashing many times is slow): a
    server-side session and the cookie that names it, as a login makes."""
    from curation import db
    from curation.accounts import sessions as login_sessions
    from curation.accounts.views import SESSION_KEY

    with client.application.app_context(), db.new_session(writes=True) as own:
        token = login_sessions.start(own, user)
        own.commit()
    with client.session_transaction() as cookie:
        cookie["_user_id"] = user.get_id()
        cookie["_fresh"] = True
        cookie[SESSION_KEY] = token


class Pages:
    """Collects what every checked page would let run; one assertion at the end."""

    def __init__(self):
        self.count = 0
        self.failures: list[str] = []

    def check(self, label, response, *, extra_tags=frozenset(), status=(200,)):
        assert response.status_code in status, f"{label}: {response.status_code}"
        page = response.get_data(as_text=True)
        self.count += 1
        self.failures += [f"{label}: {problem}" for problem in problems(page, extra_tags=extra_tags)]
        return page

    def check_markdown(self, label, markdown, allowed_links, *, editor_links=False):
        """editor_links: the editor's Markdown may link, to web and mail addresses only."""
        self.count += 1
        rendered = MarkdownIt("commonmark").render(markdown)
        self.failures += [f"{label}: {p}" for p in problems(rendered, extra_tags=MARKDOWN_TAGS)]
        for element in parse(rendered).iter():
            href = element.get("href") or ""
            if editor_links and element.tag == "a" and is_safe_link(href):
                continue
            if element.tag == "a" and href not in allowed_links:
                self.failures.append(f"{label}: Markdown made a link to {element.get('href')!r}")
            if element.tag == "img":
                self.failures.append(f"{label}: Markdown made an image")

    def check_feed(self, label, response):
        self.count += 1
        self.failures += [f"{label}: {p}" for p in feed_problems(response.get_data(as_text=True))]

    def shows(self, label, page, text):
        """An escaped payload reads back whole, as the words that were typed."""
        if "\n" not in text and text not in text_and_values(page):
            self.failures.append(f"{label}: the typed text does not read back whole: {text!r:.80}")

    def same_controls(self, label, page, baseline, ignore=frozenset()):
        got, expected = active_tag_counts(page, ignore), active_tag_counts(baseline, ignore)
        if got != expected:
            self.failures.append(f"{label}: elements differ from the harmless page: {got - expected} / {expected - got}")

    def assert_clean(self):
        assert not self.failures, f"{len(self.failures)} problems, e.g.:\n" + "\n".join(self.failures[:30])


def stored(text: str) -> str:
    return clean_text(text).strip()


def test_answers_names_notes_and_excerpts_never_become_markup(app, session, make, quick_passwords, no_card_images):
    pages = Pages()
    editor = make.editor(name="Edna Editor")
    challenge = make.challenge(editor)
    desk_url = f"/challenges/{challenge.id}/answer"
    editor_client = app.test_client()
    login_as(editor_client, editor)
    editor_token = csrf(editor_client, "/account")
    writer = app.test_client()
    writer_token = None
    people = []
    with app.test_request_context():  # mails are rendered as they are queued
        for n, text in enumerate(TEXTS):
            typed = stored(text)[:120]  # as the invitation form would keep it, at the field's length
            user = accounts.create_user(session, email=f"therapist{n}@example.org", name=typed, credentials=typed,
                                        role=Role.THERAPIST, password=PASSWORD)
            answer, _ = answers.save(session, challenge, user, body=clean_text(f"Before {text} after."),
                                     credit=("full", "first", "anonymous")[n % 3], consent=True, submit=True)
            try:
                with session.begin_nested():
                    review.review(session, answer, editor, decision="approve", note=stored(text),
                                  excerpt=stored(f"… {text} after."))
            except Invalid:  # not an excerpt of the answer: the whole answer is the quote
                review.review(session, answer, editor, decision="approve", note=stored(text))
            mail.queue_answer_reviewed(session, answer)
            if answer.excerpt:
                answers.decide_excerpt(session, answer, user, accept=True, note=stored(text))
                mail.queue_excerpt_decided(session, answer)
            session.commit()
            people.append(user)
    # The invitation form keeps what it refuses (a name too long, passwords that differ).
    for n, text in enumerate(TEXTS):
        invitation, token = accounts.invite(session, email=f"newcomer{n}@example.org", role=Role.THERAPIST, invited_by=editor)
        session.commit()
        writer_token = writer_token or csrf(writer, f"/auth/invite/{token}")
        response = writer.post(f"/auth/invite/{token}", data={
            "name": text, "credentials": text, "password": PASSWORD, "password_confirm": "not the same",
            "csrf_token": writer_token})
        # a name is one line: no breaks, tabs or bidi controls come back
        pages.shows(f"invitation refused #{n}", pages.check(f"invitation refused #{n}", response, status=(400,)), one_line(text))
    # (A refused excerpt comes back in the same review form checked below.)

    # What each therapist sees of their own answer, the note and the excerpt.
    for n, (user, text) in enumerate(zip(people, TEXTS, strict=True)):
        login_as(writer, user)
        mine = pages.check(f"my answers #{n}", writer.get("/my/answers"))
        pages.shows(f"my answers #{n}", mine, stored(f"Before {text} after."))
        pages.check(f"desk #{n}", writer.get(desk_url))

    # What editors see.
    quotes = fresh(session).scalars(select(Answer).order_by(Answer.id)).all()
    baseline = None
    for n, answer in enumerate(quotes):
        page = pages.check(f"review page #{n}", editor_client.get(f"/editor/answers/{answer.id}/review"))
        baseline = baseline or page
        pages.same_controls(f"review page #{n}", page, baseline)
        pages.shows(f"review page #{n}", page, stored(f"Before {TEXTS[n]} after."))
        pages.shows(f"review page #{n}", page, answer.author.name)
    for number in range(1, math.ceil(len(quotes) / 20) + 1):
        pages.check(f"queue page {number}", editor_client.get(f"/editor/challenges/{challenge.id}?state=approved&page={number}"))
    for url in ("/editor/", "/editor/people", f"/editor/challenges/{challenge.id}/order",
                f"/editor/challenges/{challenge.id}/publish"):
        pages.check(url, editor_client.get(url))
    pages.check("preview", editor_client.get(f"/editor/challenges/{challenge.id}/preview"))

    assert editor_client.post(f"/editor/challenges/{challenge.id}/close", data={"csrf_token": editor_token}).status_code == 302
    response = editor_client.post(f"/editor/challenges/{challenge.id}/publish", data=publish_form(csrf_token=editor_token, version_seen=0))
    assert response.status_code == 302 and "/features/" in response.headers["Location"], response.get_data(as_text=True)[:500]
    slug = response.headers["Location"].rsplit("/", 1)[1]

    reader = app.test_client()
    feature = pages.check("published page", reader.get(f"/features/{slug}"))
    for answer in quotes:
        pages.shows("published page", feature, answer.quote_text.strip())
    pages.check("fragment", reader.get(f"/features/{slug}/fragment.html"))
    pages.check("archive", reader.get("/"))
    pages.check_feed("feed", reader.get("/feed.atom"))
    pages.check_markdown("markdown", reader.get(f"/features/{slug}.md").get_data(as_text=True), {PRACTICE["booking_url"]})
    pages.check("published version", editor_client.get(f"/editor/challenges/{challenge.id}/versions/1"))
    pages.check("publish page after", editor_client.get(f"/editor/challenges/{challenge.id}/publish"))
    _check_audit_and_outbox(pages, editor_client, session)
    pages.assert_clean()
    # Reported in the closing note: payloads × pages checked.
    print(f"\nXSS answers side: {len(TEXTS)} texts, {pages.count} pages and outputs checked")


def _check_audit_and_outbox(pages, editor_client, session):
    for url in ("/editor/audit", "/editor/outbox"):
        first = editor_client.get(url).get_data(as_text=True)
        last = int((re.search(r"Page 1 of (\d+)", first) or [None, "1"])[1])
        for number in range(1, last + 1):
            pages.check(f"{url} page {number}", editor_client.get(f"{url}?page={number}"))
    for outbox_mail in fresh(session).scalars(select(OutboxMail)):
        pages.count += 1
        pages.failures += [f"mail {outbox_mail.kind} #{outbox_mail.id}: {p}" for p in mail_problems(outbox_mail.html_body)]


CHALLENGE_FIELDS = ("title", "topic", "question", "intro", "challengers", "outro")


def test_challenge_texts_never_become_markup(app, session, make, no_card_images):
    pages = Pages()
    make.practice()  # these challenges come through the form, not the factory
    editor, therapist = make.editor(name="Edna Editor"), make.therapist(name="Theo Writer")
    editor_client, writer, reader = app.test_client(), app.test_client(), app.test_client()
    login_as(editor_client, editor)
    login_as(writer, therapist)
    token = csrf(editor_client, "/account")
    made = []
    edit_baseline = None
    for n, text in enumerate(TEXTS):
        response = editor_client.post("/editor/challenges/new", data={
            **{name: text for name in CHALLENGE_FIELDS}, "csrf_token": token})
        if response.status_code != 302:
            pages.check(f"new challenge refused #{n}", response, status=(400,))
            continue
        challenge_id = int(response.headers["Location"].rsplit("/", 1)[1])
        made.append((challenge_id, text))
        queue = pages.check(f"queue #{n}", editor_client.get(f"/editor/challenges/{challenge_id}"))
        pages.shows(f"queue #{n}", queue, stored(text))
        edit = pages.check(f"edit #{n}", editor_client.get(f"/editor/challenges/{challenge_id}/edit"))
        edit_baseline = edit_baseline or edit
        pages.same_controls(f"edit #{n}", edit, edit_baseline)
        pages.shows(f"edit #{n}", edit, stored(text))
        with app.test_request_context():
            challenges.open_challenge(session, fresh(session).get(Challenge, challenge_id), editor)
            mail.queue_challenge_opened(session, session.get(Challenge, challenge_id))
            session.commit()
    assert len(made) > len(TEXTS) * 0.9

    pages.check("open challenges", writer.get("/challenges/"))
    for challenge_id, text in made:
        desk = pages.check(f"desk of {challenge_id}", writer.get(f"/challenges/{challenge_id}/answer"))
        pages.shows(f"desk of {challenge_id}", desk, stored(text))
    with app.test_request_context():
        for challenge_id, _ in made:
            challenge = fresh(session).get(Challenge, challenge_id)
            answer, _ = answers.save(session, challenge, therapist, body="Rest is a kindness.", credit="anonymous",
                                     consent=True, submit=True)
            review.review(session, answer, editor, decision="approve")
            challenges.close_challenge(session, challenge, editor)
            publishing.publish(session, challenge, editor)
            session.commit()
    pages.check("my answers", writer.get("/my/answers"))

    feature_baseline = None
    for challenge_id, text in made:
        slug = fresh(session).get(Challenge, challenge_id).slug
        feature = pages.check(f"feature {slug}", reader.get(f"/features/{slug}"), extra_tags=SANITIZED_TAGS)
        feature_baseline = feature_baseline or feature
        pages.same_controls(f"feature {slug}", feature, feature_baseline, ignore=SANITIZED_TAGS)
        pages.shows(f"feature {slug}", feature, stored(text))
        pages.check(f"fragment {slug}", reader.get(f"/features/{slug}/fragment.html"), extra_tags=SANITIZED_TAGS)
        pages.check_markdown(f"markdown {slug}", reader.get(f"/features/{slug}.md").get_data(as_text=True),
                             {PRACTICE["booking_url"]}, editor_links=True)
    pages.check("preview", editor_client.get(f"/editor/challenges/{made[-1][0]}/preview"), extra_tags=SANITIZED_TAGS)
    pages.check("dashboard", editor_client.get("/editor/"))
    pages.check("archive", reader.get("/"))
    pages.check_feed("feed", reader.get("/feed.atom"))
    _check_audit_and_outbox(pages, editor_client, session)
    pages.assert_clean()
    print(f"\nXSS challenge side: {len(TEXTS)} texts × {len(CHALLENGE_FIELDS)} fields, {pages.count} pages and outputs checked")


SUGGESTION_FIELDS = ("topic", "details", "email")


def test_readers_suggestions_never_become_markup(app, session, make):
    pages = Pages()
    editor = make.editor(name="Edna Editor")
    reader, editor_client = app.test_client(), app.test_client()
    login_as(editor_client, editor)
    token = csrf(reader, "/suggest")
    kept = []
    for n, text in enumerate(TEXTS):
        # every field hostile: the address is refused, and the form shows back what was typed
        response = reader.post("/suggest", data={**{name: text for name in SUGGESTION_FIELDS}, "csrf_token": token})
        page = pages.check(f"suggestion refused #{n}", response, status=(400,))
        pages.shows(f"suggestion refused #{n}", page, stored(text))
        response = reader.post("/suggest", data={"topic": stored(text)[:200], "details": text,
                                                 "email": f"reader{n}@example.net", "csrf_token": token})
        if response.status_code == 302:
            kept.append(stored(text)[:200])
        else:  # nothing left of the topic once cleaned
            pages.check(f"suggestion without topic #{n}", response, status=(400,))
    assert len(kept) > len(TEXTS) * 0.9
    listing = editor_client.get("/editor/suggestions").get_data(as_text=True)
    last = int((re.search(r"Page 1 of (\d+)", listing) or [None, "1"])[1])
    seen = ""
    for number in range(1, last + 1):
        seen += pages.check(f"suggestions page {number}", editor_client.get(f"/editor/suggestions?page={number}"))
    for n, topic in enumerate(kept):
        pages.shows(f"suggestions, topic #{n}", seen, topic)
    baseline = None
    for suggestion_id in fresh(session).scalars(select(Suggestion.id).order_by(Suggestion.id)):
        page = pages.check(f"challenge from suggestion {suggestion_id}",
                           editor_client.get(f"/editor/challenges/new?suggestion={suggestion_id}"))
        baseline = baseline or page
        pages.same_controls(f"challenge from suggestion {suggestion_id}", page, baseline)
    pages.assert_clean()
    print(f"\nXSS suggestions: {len(TEXTS)} texts × {len(SUGGESTION_FIELDS)} fields, {pages.count} pages checked")


def test_public_pages_of_therapists_never_become_markup(app, session, make, quick_passwords, no_card_images):
    pages = Pages()
    editor = make.editor(name="Edna Editor")
    challenge = make.challenge(editor)
    writer, reader = app.test_client(), app.test_client()
    people = []
    for n, text in enumerate(TEXTS):
        typed = stored(text)[:120] or "Empty"
        user = accounts.create_user(session, email=f"public{n}@example.org", name=typed, credentials=typed,
                                    role=Role.THERAPIST, password=PASSWORD)
        session.commit()
        login_as(writer, user)
        token = csrf(writer, "/account/public-page")
        response = writer.post("/account/public-page", data={
            "has_public_page": "y", "bio": text[:600], "profile_url": text, "csrf_token": token})
        if not is_safe_link(stored(text)):
            page = pages.check(f"public page form refused #{n}", response, status=(400,))
            pages.shows(f"public page form refused #{n}", page, stored(text)[:600])
        response = writer.post("/account/public-page", data={
            "has_public_page": "y", "bio": text[:600], "profile_url": "https://example.org/me", "csrf_token": token})
        assert response.status_code == 302, f"#{n}"
        pages.check(f"public page form #{n}", writer.get("/account/public-page"))
        with app.test_request_context():
            answer, _ = answers.save(session, challenge, user, body=clean_text(f"Before {text} after."),
                                     credit=("full", "first")[n % 2], consent=True, submit=True)
            review.review(session, answer, editor, decision="approve")
        session.commit()
        people.append(user)
    challenges.close_challenge(session, fresh(session).get(Challenge, challenge.id), editor)
    session.commit()
    with app.test_request_context():
        publication = publishing.publish(session, fresh(session).get(Challenge, challenge.id), editor)
    session.commit()
    pages.check("feature with credit links", reader.get(f"/features/{publication.slug}"))
    baseline = None
    for n, user in enumerate(people):
        page = pages.check(f"public page #{n}", reader.get(f"/therapists/{fresh(session).get(type(user), user.id).public_slug}"))
        baseline = baseline or page
        pages.same_controls(f"public page #{n}", page, baseline)
        pages.shows(f"public page #{n}", page, user.name)
    pages.assert_clean()
    print(f"\nXSS public pages: {len(TEXTS)} texts, {pages.count} pages checked")


SETTINGS_TEXT_FIELDS = ("practice_name", "booking_text", "booking_label", "anonymous_credit")


def test_settings_never_become_markup_nor_widen_the_frame_policy(app, session, make, no_card_images):
    pages = Pages()
    editor = make.editor(name="Edna Editor")
    challenge = make.challenge(editor)
    make.approved(challenge, editor, credit="anonymous")
    editor_client = app.test_client()
    login_as(editor_client, editor)
    token = csrf(editor_client, "/account")
    for n, text in enumerate(TEXTS):
        everything = {name: text for name in SETTINGS_TEXT_FIELDS}
        response = editor_client.post("/editor/settings", data={
            **everything, "booking_url": text, "frame_ancestors": text, "reminder_days": 3, "csrf_token": token})
        assert response.status_code == 400, f"#{n}: a payload was taken as a link or an origin"
        pages.shows(f"settings refused #{n}", pages.check(f"settings refused #{n}", response, status=(400,)), stored(text))
        response = editor_client.post("/editor/settings", data={
            **everything, "booking_url": "https://example.org/book", "frame_ancestors": "https://www.example.org",
            "reminder_days": 3, "csrf_token": token})
        if response.status_code != 302:  # longer than a field allows
            pages.check(f"settings too long #{n}", response, status=(400,))
            continue
        preview = pages.check(f"preview #{n}", editor_client.get(f"/editor/challenges/{challenge.id}/preview"))
        pages.shows(f"preview #{n}", preview, stored(text))
    pages.assert_clean()
    print(f"\nXSS settings: {len(TEXTS)} texts × {len(SETTINGS_TEXT_FIELDS) + 2} fields, {pages.count} pages checked")


# The sanitizer and the link check on their own, for whole families of tricks.
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u202e", "\u2066", "\u061c", "\u180e",
             "\t", "\n", "\r", " ", "\x00", "\x01", "\x0b", "\x0c", "\x1f", "\x7f", "&#x09;", "&#10;", "&#13;", "&#0;"]


@pytest.mark.parametrize("scheme", ["javascript", "vbscript", "data", "livescript"])
def test_no_invisible_character_anywhere_in_a_script_scheme_gets_a_link_through(scheme):
    tried = 0
    for char in INVISIBLE:
        for position in range(len(scheme) + 2):
            url = (scheme + ":")[:position] + char + (scheme + ":")[position:] + "alert(1)"
            for html in (f'<a href="{url}">x</a>', f"<a href='{url}'>x</a>", f"<a href={url}>x</a>"):
                cleaned = clean(html)
                assert problems(cleaned) == [], (url, cleaned)
                assert "href" not in cleaned, (url, cleaned)
                tried += 1
            if "&" not in char:
                assert not is_safe_link(url), url
    assert tried == len(INVISIBLE) * (len(scheme) + 2) * 3


def test_the_sanitizer_leaves_only_its_small_tag_set_for_every_payload():
    allowed_links = re.compile(r'href="(https?://|mailto:)')
    for text in TEXTS:
        cleaned = clean(text)
        assert problems(cleaned) == [], (text, cleaned)
        tags = {element.tag for element in parse(cleaned).iter()} - {"html", "head", "body"}
        assert tags <= SANITIZED_TAGS, (text, cleaned)
        for href in re.findall(r'href="[^"]*"', cleaned):
            assert allowed_links.match(href), (text, cleaned)


NESTED = ["<em>" * 2500, "<blockquote>" * 800, '<a href="https://ok.example/">' * 300, "<ul><li>" * 1200,
          "<" * 10000, "<p>" * 3300, "<svg>" * 1600 + "<script>alert(1)</script>"]


def test_deeply_nested_markup_in_the_intro_is_cleaned_and_published_without_failing(app, make, session, no_card_images):
    editor = make.editor()
    client = app.test_client()
    login_as(client, editor)
    token = csrf(client, "/account")
    for intro in NESTED:
        response = client.post("/editor/challenges/new", data={
            "title": "Nested", "topic": "Nesting", "question": "How deep?", "intro": intro, "challengers": "Us",
            "outro": intro, "csrf_token": token})
        assert response.status_code == 302, intro[:20]
        preview = client.get(response.headers["Location"] + "/preview")
        assert preview.status_code == 200
        assert problems(preview.get_data(as_text=True), extra_tags=SANITIZED_TAGS) == [], intro[:20]
