"""Editor text is Markdown: paragraphs, emphasis, links and lists reach the page,
the fragment and the Markdown export; the series' sections appear only when written."""
from __future__ import annotations

from markdown_it import MarkdownIt
from sqlalchemy import func, select

from curation import editor_markdown
from curation.models import ChallengeState, SiteSetting
from curation.practice import services as practice_settings
from curation.publishing import services as publishing
from curation.publishing.markdown import escape_markdown
from tests.conftest import fresh

INTRO = "We asked *five* therapists.\n\nRead [our story](https://example.org/story).\n\n- one\n- two"
SECTIONS = {
    "challenge_text": "Rest is **hard** to talk about.",
    "challengers_text": "Five registered psychotherapists.",
    "results_title": "The Results: What Rest Means to Us",
}


def _published(app, make, session, **fields):
    editor = make.editor()
    challenge = make.challenge(editor, **fields)
    make.approved(challenge, editor, body="Rest is part of the work. It is - really - fine.")
    challenge.state = ChallengeState.CLOSED
    session.commit()
    with app.test_request_context():
        publication = publishing.publish(session, challenge, editor)
    session.commit()
    return publication


def test_the_shipped_booking_text_shows_as_saving_it_would_render_it():
    defaults = practice_settings.DEFAULTS
    assert defaults["booking_text_html"] == editor_markdown.to_html(defaults["booking_text"], legacy_html=False)


def test_markdown_intro_keeps_paragraphs_emphasis_links_and_lists(app, make, session, client):
    publication = _published(app, make, session, intro=INTRO)

    for url in (f"/features/{publication.slug}", f"/features/{publication.slug}/fragment.html"):
        page = client.get(url).get_data(as_text=True)
        assert "<p>We asked <em>five</em> therapists.</p>" in page
        assert '<a href="https://example.org/story">our story</a>' in page
        assert "<li>one</li>" in page
    markdown = client.get(f"/features/{publication.slug}.md").get_data(as_text=True)
    assert INTRO in markdown  # the editor's Markdown as written
    rendered = MarkdownIt("commonmark").render(markdown)
    assert "<em>five</em>" in rendered and "<li>two</li>" in rendered


def test_raw_html_in_markdown_prints_as_text_and_stays_text_in_the_export(app, make, session, client):
    publication = _published(app, make, session, intro="Hello <script>alert(1)</script> *there*")

    page = client.get(f"/features/{publication.slug}").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
    rendered = MarkdownIt("commonmark").render(client.get(f"/features/{publication.slug}.md").get_data(as_text=True))
    assert "<script>" not in rendered and "&lt;script&gt;" in rendered


def test_text_saved_as_html_before_markdown_still_reads_as_it_did(app, make, session, client):
    publication = _published(app, make, session, intro="<p>Old <em>intro</em></p>")

    assert "<p>Old <em>intro</em></p>" in client.get(f"/features/{publication.slug}").get_data(as_text=True)
    assert "Old intro" in client.get(f"/features/{publication.slug}.md").get_data(as_text=True)


def test_the_series_sections_appear_when_written(app, make, session, client):
    publication = _published(app, make, session, **SECTIONS)

    page = client.get(f"/features/{publication.slug}").get_data(as_text=True)
    assert '<h2 id="the-challenge">The Challenge</h2>' in page and "<strong>hard</strong>" in page
    assert '<h2 id="the-challengers">The Challengers</h2>' in page
    assert '<h2 class="results-title">The Results: What Rest Means to Us</h2>' in page
    assert page.index("Five registered") < page.index("The challenge</p>") < page.index("The Results: What")
    markdown = client.get(f"/features/{publication.slug}.md").get_data(as_text=True)
    assert "## The Challenge\n\nRest is **hard** to talk about." in markdown
    assert "## The Results: What Rest Means to Us" in markdown


def test_empty_sections_leave_no_empty_headings(app, make, session, client):
    publication = _published(app, make, session)

    page = client.get(f"/features/{publication.slug}").get_data(as_text=True)
    for absent in ('id="the-challenge"', 'id="the-challengers"', 'class="results-title"', 'id="feature-closing"'):
        assert absent not in page


def test_the_edit_form_takes_the_sections(make, auth, post, session):
    editor = make.editor()
    challenge = make.challenge(editor)
    auth.login(editor)
    fields = {"title": "Rest", "topic": "Rest", "question": "What is rest?", "challengers": "Psychotherapists",
              **SECTIONS}

    assert post(f"/editor/challenges/{challenge.id}/edit", fields).status_code == 302

    saved = fresh(session).get(type(challenge), challenge.id)
    assert saved.results_title == SECTIONS["results_title"]
    assert saved.challenge_text_html == "<p>Rest is <strong>hard</strong> to talk about.</p>"


SETTINGS = {
    "practice_name": "Harbour Therapy", "series_name": "Therapists Being Human",
    "booking_text": "Talk to *us*.", "booking_label": "Book now", "booking_url": "https://harbour.example/book",
    "anonymous_credit": "A registered psychotherapist", "frame_ancestors": "", "reminder_days": "3",
    "closing_title": "Get to Know Our Therapists", "closing_text": "We are *here*.",
    "closing_links": "Book a session | https://harbour.example/book\nFind a therapist | https://harbour.example/team",
    "cards_between_quotes": "y",
}


def test_closing_block_booking_markdown_and_cards_between_quotes(app, make, auth, post, session, client):
    editor = make.editor()
    auth.login(editor)
    assert post("/editor/settings", SETTINGS).status_code == 302

    publication = _published(app, make, session)

    page = client.get(f"/features/{publication.slug}").get_data(as_text=True)
    assert "<p>Talk to <em>us</em>.</p>" in page
    assert '<h2 id="feature-closing">Get to Know Our Therapists</h2>' in page
    assert '<a href="https://harbour.example/team">Find a therapist</a>' in page
    assert 'class="quote-card"' in page and 'alt="Rest is part of the work. It is - really - fine.' in page
    markdown = client.get(f"/features/{publication.slug}.md").get_data(as_text=True)
    assert "- [Find a therapist](<https://harbour.example/team>)" in markdown
    assert "Talk to *us*." in markdown


def test_a_closing_link_without_a_web_address_is_refused_and_nothing_is_saved(make, auth, post, session):
    auth.login(make.editor())

    response = post("/editor/settings", {**SETTINGS, "closing_links": "Our story | javascript:alert(1)"})

    assert response.status_code == 400
    assert "Line 1: write the link" in response.get_data(as_text=True)
    assert "Our story | javascript:alert(1)" in response.get_data(as_text=True)
    assert fresh(session).scalar(select(func.count()).select_from(SiteSetting).filter_by(key="closing_links")) == 0


def test_markdown_export_escapes_only_what_would_change_the_meaning(app, make, session, client):
    assert escape_markdown("Rest. It is - really - fine (mostly).") == "Rest. It is - really - fine (mostly)."
    assert escape_markdown("# no heading") == "\\# no heading"
    assert escape_markdown("- no list\n+ none\n1. none") == "\\- no list\n\\+ none\n1\\. none"
    assert escape_markdown("*a* _b_ `c` [d] <e> \\f &amp;") == "\\*a\\* \\_b\\_ \\`c\\` \\[d\\] \\<e> \\\\f \\&amp;"
    publication = _published(app, make, session)

    markdown = client.get(f"/features/{publication.slug}.md").get_data(as_text=True)
    assert "> Rest is part of the work. It is - really - fine." in markdown


def test_the_preview_shows_the_rendered_markdown(make, auth, client):
    editor = make.editor()
    challenge = make.challenge(editor, intro=INTRO, **SECTIONS)
    make.approved(challenge, editor)
    auth.login(editor)

    preview = client.get(f"/editor/challenges/{challenge.id}/preview").get_data(as_text=True)

    assert "<p>We asked <em>five</em> therapists.</p>" in preview
    assert '<h2 class="results-title">The Results: What Rest Means to Us</h2>' in preview
    assert "*five*" not in preview


def test_each_markdown_field_has_its_cheat_sheet(make, auth, client):
    auth.login(make.editor())

    form = client.get("/editor/challenges/new").get_data(as_text=True)
    settings = client.get("/editor/settings").get_data(as_text=True)

    assert form.count("Markdown: a blank line starts a paragraph") == 4  # intro, two sections, outro
    assert settings.count("Markdown: a blank line starts a paragraph") == 2  # booking and closing texts
