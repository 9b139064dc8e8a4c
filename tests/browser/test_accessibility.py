"""Every main page through axe-core (no serious or critical violation) at a
phone's and a desktop's width, with a screenshot of each under tests/artifacts/;
and the keyboard path through the pages people use most."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from curation.challenges import services as challenges
from curation.mail import services as mail
from curation.publishing import services as publishing
from curation.suggestions import services as suggestions
from curation.therapists import services as therapists

pytestmark = pytest.mark.browser

WIDTHS = (1440, 375)

ANSWERS = [
    (
        "Ada Quill", "MSW, RSW", "full",
        "Empathy is the moment I stop preparing my reply and let what you said land in me first.\n\n"
        "It matters because people can tell the difference between being analysed and being "
        "accompanied. We harness it by slowing down, by asking before assuming, and by staying "
        "curious when it would be easier to be right.",
    ),
    (
        "Ben Marsh", "RP", "first",
        "For me empathy is borrowed eyesight: for a little while I try to see the room from your chair. "
        "It is important because nobody changes while they feel judged.",
    ),
    (
        "Cy Dunn", "RP (Qualifying)", "anonymous",
        "Empathy is a practice, not a talent. It starts with noticing my own reactions, so that "
        "they do not crowd out yours.",
    ),
]


@pytest.fixture
def site(app, live_server, make, session):
    """A small but full site: a published feature, an open challenge with
    answers in every state, mail in the outbox and entries in the audit log."""
    editor = make.editor(name="Maya Brooks", credentials="MSW, RSW")
    published = make.challenge(
        editor,
        title="What Do Therapists Really Think About Empathy?",
        topic="Empathy",
        question="In your own words, what is empathy, why is it important, and how can we harness its power with other humans?",
        intro="<p>Every few weeks we ask our therapists one question and share their answers.</p>",
        challengers="Psychotherapists",
        outro="<p>Join us next time, when we ask about rest.</p>",
    )
    authors = []
    for name, credentials, _credit, _body in ANSWERS:
        author = make.therapist(name=name, credentials=credentials)
        authors.append(author)
    therapists.save_public_page(session, authors[0], wanted=True, bio="I work with couples and families.",
                                profile_url="https://example.org/ada")
    suggestions.submit(session, topic="How do you rest on a busy day?", details="I never manage it.", email="")
    for author, (_, _, credit, body) in zip(authors, ANSWERS, strict=True):
        make.approved(published, editor, author, body=body, credit=credit)
    challenges.close_challenge(session, published, editor)
    with app.test_request_context(base_url=live_server):  # the snapshot's and mails' absolute links
        publication = publishing.publish(session, published, editor)
        mail.queue_feature_published(session, publication)
    session.commit()

    current = make.challenge(
        editor, title="What Does Rest Mean to a Therapist?", topic="Rest",
        question="In your own words, what is rest, and why do helpers find it hard?", word_limit=150,
    )
    draft = make.answer(current, authors[0], body="Rest is not a reward for finishing.", submit=False)
    flagged = make.answer(current, authors[1], body="Rest is the pause that lets me hear again. Last winter a "
                          "client described a fight with her sister that left her unable to sleep.")
    with_excerpt = make.approved(
        current, editor, authors[2],
        body="Rest is where insight lands. Without it, sessions blur into each other and I stop noticing.",
        excerpt="Rest is where insight lands. … I stop noticing.",
    )
    make.challenge(editor, state="draft", title="What Is Courage?", topic="Courage")
    with app.test_request_context(base_url=live_server):
        mail.queue_answer_reviewed(session, with_excerpt)
    session.commit()
    return {
        "editor": editor,
        "therapist": authors[0],
        "published": published,
        "current": current,
        "slug": publication.slug,
        "draft": draft,
        "with_excerpt": with_excerpt,
        "flagged": flagged,
    }


def check_page(page, axe, screenshot, name: str) -> list[str]:
    """axe at both widths, no sideways scrolling, a screenshot at each; the
    problems found, in words."""
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for violation in axe(page):
            problems.append(f"{name} at {width}px: {violation['impact']} {violation['id']} ({violation['help']}) at {violation['where']}")
        overflow = page.evaluate("() => document.documentElement.scrollWidth") - width
        if overflow > 0:
            problems.append(f"{name} at {width}px: the page is {overflow}px wider than the screen")
        screenshot(page, name)
    return problems


def test_every_main_page_passes_axe_at_phone_and_desktop_width(pages, axe, screenshot, site):
    problems = []
    # CSP forbids injected scripts, rightly; axe needs one, so these contexts bypass it.
    visitor = pages.page(bypass_csp=True)
    for name, path in [
        ("login", "/auth/login"),
        ("archive", "/"),
        ("feature", f"/features/{site['slug']}"),
        ("suggest", "/suggest"),
        ("therapist-page", f"/therapists/{site['therapist'].public_slug}"),
    ]:
        visitor.goto(path)
        problems += check_page(visitor, axe, screenshot, name)

    therapist = pages.log_in(pages.page(bypass_csp=True), site["therapist"])
    for name, path in [
        ("open-challenges", "/challenges/"),
        ("desk", f"/challenges/{site['current'].id}/answer"),
        ("my-answers", "/my/answers"),
        ("account", "/account"),
        ("public-page", "/account/public-page"),
    ]:
        therapist.goto(path)
        problems += check_page(therapist, axe, screenshot, name)

    editor = pages.log_in(pages.page(bypass_csp=True), site["editor"])
    current, published = site["current"].id, site["published"].id
    for name, path in [
        ("dashboard", "/editor/"),
        ("new-challenge", "/editor/challenges/new"),
        ("queue", f"/editor/challenges/{current}"),
        ("review", f"/editor/answers/{site['with_excerpt'].id}/review?next=/editor/challenges/{current}"),
        ("review-flagged", f"/editor/answers/{site['flagged'].id}/review"),
        ("order", f"/editor/challenges/{published}/order"),
        ("publish", f"/editor/challenges/{published}/publish"),
        ("preview", f"/editor/challenges/{current}/preview"),
        ("people", "/editor/people"),
        ("settings", "/editor/settings"),
        ("audit", "/editor/audit"),
        ("outbox", "/editor/outbox"),
        ("suggestions", "/editor/suggestions"),
        ("wordpress", "/editor/wordpress"),
    ]:
        editor.goto(path)
        problems += check_page(editor, axe, screenshot, name)

    assert not problems, "\n".join(problems)


def test_the_first_run_setup_page_passes_axe(pages, axe, screenshot):
    page = pages.page(bypass_csp=True)
    page.goto("/auth/setup")
    expect(page.get_by_role("heading", name="Welcome to Curation")).to_be_visible()
    problems = check_page(page, axe, screenshot, "setup")
    assert not problems, "\n".join(problems)


def test_first_tab_reaches_a_visible_skip_link_that_moves_focus_to_the_content(pages, make):
    page = pages.page()
    page.goto("/auth/login")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()


def test_an_answer_can_be_written_and_submitted_with_the_keyboard_alone(pages, make, session):
    challenge = make.challenge()
    therapist = make.therapist()
    page = pages.log_in(pages.page(), therapist)
    page.goto(f"/challenges/{challenge.id}/answer")

    page.locator("#body").focus()
    page.keyboard.type("Rest is a kindness.")
    page.keyboard.press("Tab")  # to the credit choices
    expect(page.locator("#credit-0")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.locator("#credit-1")).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.locator("#consent")).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Submit answer")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".flashes")).to_contain_text("Your answer is submitted")
