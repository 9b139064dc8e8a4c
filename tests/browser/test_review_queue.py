"""The review queue in a real browser: a decision brings the editor back to
the same answer in the list, and the review page shows what an excerpt cuts."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from curation.models import Answer, AnswerState

pytestmark = pytest.mark.browser


def test_a_decision_returns_to_the_same_place_in_the_queue(pages, make, session):
    editor = make.editor()
    challenge = make.challenge(editor)
    answers = [make.answer(challenge, body=f"Answer number {n}. " + "Rest is a practice. " * 40) for n in range(4)]
    chosen = answers[2]
    page = pages.log_in(pages.page(viewport={"width": 375, "height": 700}), editor)
    page.goto(f"/editor/challenges/{challenge.id}")

    page.locator(f"#answer-{chosen.id}").get_by_role("link", name="Review").click()
    page.get_by_label("Approve").check()
    page.get_by_role("button", name="Save decision").click()

    expect(page).to_have_url(f"{pages.base_url}/editor/challenges/{challenge.id}#answer-{chosen.id}")
    card = page.locator(f"#answer-{chosen.id}")
    expect(card).to_be_in_viewport()
    expect(card).to_contain_text("approved")
    session.rollback()
    assert session.scalar(select(Answer.state).where(Answer.id == chosen.id)) == AnswerState.APPROVED


def test_the_review_page_shows_the_excerpt_beside_the_answer_with_the_cuts_struck_through(pages, make):
    editor = make.editor()
    challenge = make.challenge(editor)
    answer = make.answer(challenge, body="Rest is where insight lands. Without it, sessions blur together.")
    page = pages.log_in(pages.page(), editor)
    page.goto(f"/editor/answers/{answer.id}/review")
    page.get_by_label("Approve").check()
    page.get_by_label("Excerpt (optional)", exact=True).fill("Rest is where insight lands. …")
    page.get_by_role("button", name="Save decision").click()

    page.goto(f"/editor/answers/{answer.id}/review")
    preview = page.locator("#excerpt-preview")
    expect(preview.locator("mark")).to_have_text(["Rest is where insight lands."])  # the full stop the excerpt keeps
    expect(preview.locator("del")).to_contain_text(["Without it, sessions blur together"])
    answer_box = page.locator("#answer-body").bounding_box()
    decision_box = page.get_by_role("heading", name="Your decision").bounding_box()
    assert decision_box["x"] > answer_box["x"] + answer_box["width"] - 1, "answer and decision side by side"
