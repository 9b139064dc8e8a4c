"""Back to the desk shows the server's copy, never a page kept from before."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from curation.models import Answer

pytestmark = pytest.mark.browser


def test_back_to_the_desk_shows_the_answer_as_the_server_holds_it_now(pages, make, session):
    challenge = make.challenge(word_limit=50)
    therapist = make.therapist()
    make.answer(challenge, therapist, body="My first thoughts on rest.", submit=False)
    page = pages.log_in(pages.page(), therapist)
    page.goto(f"/challenges/{challenge.id}/answer")
    expect(page.locator("#body")).to_have_value("My first thoughts on rest.")
    expect(page.locator("#word-count")).to_have_text("5 words of 50")

    # the answer changes elsewhere (another tab, another device) while this page is left
    page.goto("/my/answers")
    session.rollback()
    answer = session.scalar(select(Answer).where(Answer.author_id == therapist.id))
    answer.body = "Rest, I now think, is the pause between two sessions where I let the last one go."
    session.commit()

    response = page.go_back()
    assert response is not None and "no-store" in response.headers["cache-control"].split(", ")
    expect(page.locator("#body")).to_have_value(answer.body)
    expect(page.locator("#word-count")).to_have_text("17 words of 50")


def test_a_page_restored_from_the_back_forward_cache_asks_the_server_again(pages, make):
    challenge = make.challenge()
    therapist = make.therapist()
    page = pages.log_in(pages.page(), therapist)
    page.goto(f"/challenges/{challenge.id}/answer")
    page.evaluate("window.leftBehind = true")
    # what the browser does when it shows the page from its back/forward cache
    page.evaluate("window.dispatchEvent(new PageTransitionEvent('pageshow', {persisted: true}))")
    page.wait_for_function("window.leftBehind === undefined")
    expect(page.locator("#body")).to_be_visible()
