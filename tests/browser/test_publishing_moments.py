"""A whole edition in a real browser, as a practice new to the tool would run it:
an editor at a phone's or a desktop's width, three therapists on 375 px phones,
from the first challenge to the published feature and a correction. Each moment
where a person could stop or be misled is checked, and a screenshot of it is
kept under tests/artifacts/ux/ for a person to look at."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from curation.models import Answer, OutboxMail, Publication
from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
ANSWERS = (
    ("Maya Okafor", "RP", "full", ("Rest is the pause that lets me hear my clients again. Without it I listen "
                                   "for what I expect, not for what they say.")),
    ("Liam Brennan", "MSW, RSW", "first", ("Rest is not a reward for finishing. It is part of the work, the way "
                                           "silence is part of a conversation.")),
    ("Noor Haddad", "RP", "anonymous", ("I used to rest only when I was ill. Now I plan it, like any other "
                                        "appointment that matters.")),
)


def _shot(page, name: str) -> None:
    folder = ARTIFACTS / "ux"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}-{page.viewport_size['width']}.png"), full_page=True)


def _fits(page) -> None:
    """Nothing wider than the screen: no sideways scrolling to find a button."""
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{page.url} is {overflow}px wider than the screen"


def _answer_on_a_phone(pages, therapist, challenge_id: int, credit: str, body: str) -> None:
    page = pages.log_in(pages.page(viewport=PHONE), therapist)
    page.goto(f"/challenges/{challenge_id}/answer")
    page.locator("#body").fill(body)
    page.locator(f"input[name=credit][value={credit}]").check()
    page.get_by_label("I agree that my answer may be published").check()
    page.get_by_role("button", name="Submit answer").click()
    expect(page.locator(".flashes")).to_be_visible()
    _fits(page)
    if credit == "full":
        _shot(page, "therapist-submitted")


@pytest.mark.parametrize("width", [375, 1440])
def test_a_practice_new_to_the_tool_runs_a_whole_edition(pages, make, session, width):
    editor = make.editor(name="Elena Park")
    therapists = [make.therapist(name=name, credentials=credentials) for name, credentials, _, _ in ANSWERS]
    page = pages.log_in(pages.page(viewport={"width": width, "height": 900}), editor)

    # A new challenge: the next step is to open it, and nothing offers to order or publish yet.
    page.goto("/editor/challenges/new")
    page.get_by_label("Title").fill("What Does Rest Mean to a Therapist?")
    page.get_by_label("The Challenge (topic)").fill("Rest")
    page.get_by_label("Question").fill("In your own words, what is rest, and why do helpers find it hard?")
    page.get_by_label("Introduction").fill("Every few weeks we ask our therapists one question.")
    page.get_by_role("button", name="Save as draft").click()
    challenge_id = int(re.search(r"/editor/challenges/(\d+)$", page.url).group(1))
    next_step = page.locator(".next-step")
    expect(next_step).to_contain_text("Open it for answers")
    expect(page.locator(".actions")).not_to_contain_text("Order quotes")
    expect(page.locator(".actions")).not_to_contain_text("Publish…")
    _fits(page)
    _shot(page, "1-draft-next-step")
    next_step.get_by_role("button", name="Open for answers").click()
    expect(page.locator(".next-step")).to_contain_text("Wait for answers")

    for therapist, (_, _, credit, body) in zip(therapists, ANSWERS, strict=True):
        _answer_on_a_phone(pages, therapist, challenge_id, credit, body)

    # Review what came in, as the next step says.
    page.goto(f"/editor/challenges/{challenge_id}")
    expect(page.locator(".next-step")).to_contain_text("Review 3 submitted")
    _shot(page, "2-review-next-step")
    answer_ids = list(session.scalars(select(Answer.id).where(Answer.challenge_id == challenge_id).order_by(Answer.id)))
    for answer_id in answer_ids:
        page.goto(f"/editor/answers/{answer_id}/review")
        page.get_by_label("Approve").check()
        page.get_by_role("button", name="Save decision").click()
    expect(page.locator(".next-step")).to_contain_text("order that reads best")
    page.locator(".next-step").get_by_role("link", name="Order quotes").click()
    page.get_by_role("button", name="Save order").click()
    page.goto(f"/editor/challenges/{challenge_id}")
    page.locator(".next-step").get_by_role("button", name="Close for answers").click()
    expect(page.locator(".next-step")).to_contain_text("Preview it, then publish")

    # The preview says it is not published, and leads back.
    page.goto(f"/editor/challenges/{challenge_id}/preview")
    bar = page.locator(".editor-bar")
    expect(bar).to_contain_text("Preview — not published")
    expect(bar).to_contain_text("name and booking link are still the example")
    expect(page.locator(".feature-date")).to_have_text("The date you publish")
    _fits(page)
    _shot(page, "3-preview")
    bar.get_by_role("link", name=re.compile("Publish…")).click()

    # The settings still hold the examples the tool ships with: no Publish button, the way to Settings instead.
    expect(page.locator("main")).to_contain_text("name and booking link are still the example")
    expect(page.get_by_role("button", name="Publish…")).to_have_count(0)
    _shot(page, "4-placeholders-refused")
    page.locator("main").get_by_role("link", name="Settings").click()
    page.get_by_label("Practice name").fill("Harbour Therapy")
    page.get_by_label("Booking link").fill("https://harbour.example/book")
    page.get_by_role("button", name="Save settings").click()
    page.goto(f"/editor/challenges/{challenge_id}/publish")
    expect(page.locator("#copy-markdown")).to_contain_text("Rest is the pause")
    _fits(page)
    _shot(page, "5-publish-page")

    # Publishing asks first, with the count and who gets an e-mail.
    page.get_by_role("button", name="Publish…").click()
    expect(page.locator("h1")).to_contain_text("Publish “What Does Rest Mean to a Therapist?”?")
    expect(page.locator("main")).to_contain_text("3 quotes")
    for name, _, _, _ in ANSWERS:
        expect(page.locator(".recipients")).to_contain_text(name)
    session.rollback()
    assert session.scalar(select(Publication.id)) is None
    _fits(page)
    _shot(page, "6-confirm")
    page.get_by_role("button", name="Yes, publish now").click()

    # The public page, with the editor's message and a way back around it.
    expect(page).to_have_url(re.compile(r"/features/what-does-rest-mean-to-a-therapist$"))
    bar = page.locator(".editor-bar")
    expect(bar).to_contain_text("Published: this is the public page")
    expect(bar).to_contain_text("3 therapists will get an e-mail")
    _fits(page)
    _shot(page, "7-published-with-editor-bar")
    reader = pages.page(viewport=PHONE)
    reader.goto("/features/what-does-rest-mean-to-a-therapist")
    expect(reader.locator(".editor-bar")).to_have_count(0)
    _shot(reader, "8-reader-sees-the-feature")

    # A typo fixed after publishing: saved, but the page says the public page has not changed.
    bar.get_by_role("link", name="Back to the challenge").click()
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Introduction").fill("Every few weeks we ask our therapists one question, and share their answers.")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".flashes")).to_contain_text("the public page still shows version 1")
    correction = page.locator(".correction")
    expect(correction).to_contain_text("Correction owed")
    expect(correction.locator("ins")).to_contain_text("and share their answers.")
    _fits(page)
    _shot(page, "9-correction-owed")
    page.goto("/editor/")
    expect(page.locator(".notice")).to_contain_text("A correction is owed")
    expect(page.locator(".dashboard .next")).to_contain_text("see below what a correction changes")
    _shot(page, "9b-dashboard-correction-owed")
    page.goto(f"/editor/challenges/{challenge_id}/publish")
    expect(page.locator(".correction")).to_contain_text("the public page still shows version 1")
    _fits(page)
    _shot(page, "9c-publish-page-correction-owed")
    page.goto(f"/editor/challenges/{challenge_id}")
    correction = page.locator(".correction")
    correction.get_by_role("button", name="Publish a correction…").click()
    expect(page.locator("h1")).to_have_text("Publish a correction?")
    expect(page.locator("main")).to_contain_text("no quoted therapist's words or credit change")
    _shot(page, "10-confirm-correction")
    page.get_by_role("button", name="Yes, publish the correction").click()
    expect(page.locator(".editor-bar")).to_contain_text("Correction published as version 2")
    expect(page.locator(".editor-bar")).to_contain_text("Nobody needed an e-mail")
    _shot(page, "11-correction-published")
    reader.reload()
    expect(reader.locator("main")).to_contain_text("and share their answers.")

    session.rollback()
    kinds = [k for (k,) in session.execute(select(OutboxMail.kind).where(OutboxMail.kind.like("feature_%")))]
    assert sorted(kinds) == ["feature_published"] * 3
