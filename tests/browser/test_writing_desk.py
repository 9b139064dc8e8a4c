"""The therapist's writing desk in a real browser: word count, autosave,
the browser's own copy when the server never got the text, and no JavaScript."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from curation.models import Answer, AnswerState

pytestmark = pytest.mark.browser

LONG_ANSWER = (
    "Rest is not the reward at the end of a productive week.\n\n"
    "It is the ground we stand on when we sit with someone in pain, and "
    "nobody can listen well on an empty tank."
)


def stored_answer(session, challenge, author) -> Answer | None:
    session.rollback()
    session.expire_all()
    return session.scalar(select(Answer).where(Answer.challenge_id == challenge.id, Answer.author_id == author.id))


def desk_url(challenge) -> str:
    return f"/challenges/{challenge.id}/answer"


def test_word_count_follows_typing_and_says_when_over_the_limit(pages, make):
    challenge = make.challenge(word_limit=10)
    therapist = make.therapist()
    page = pages.log_in(pages.page(), therapist)
    page.goto(desk_url(challenge))

    page.locator("#body").press_sequentially("one two three four five")
    expect(page.locator("#word-count")).to_have_text("5 words of 10")
    expect(page.locator("#word-count")).not_to_have_class(re.compile("over-limit"))

    page.locator("#body").press_sequentially(" six seven eight nine ten eleven twelve")
    expect(page.locator("#word-count")).to_have_text("12 words of 10 — 2 over the limit")
    expect(page.locator("#word-count")).to_have_class(re.compile("over-limit"))
    # read out once when the limit is crossed, not on every key
    expect(page.locator("#word-count + [role=status]")).to_have_text("Your answer is now over the limit of 10 words.")


def test_typing_autosaves_a_draft_that_reaches_the_server(pages, make, session):
    challenge = make.challenge()
    therapist = make.therapist()
    page = pages.log_in(pages.page(), therapist)
    page.goto(desk_url(challenge))

    page.locator("#body").press_sequentially("Rest is a skill we practise.")
    expect(page.locator("#save-state")).to_have_text(re.compile(r"^Saved at \d\d:\d\d$"))

    answer = stored_answer(session, challenge, therapist)
    assert answer.body == "Rest is a skill we practise."
    assert answer.state == AnswerState.DRAFT
    storage_key = page.locator("#answer-form").get_attribute("data-storage-key")
    assert page.evaluate("key => localStorage.getItem(key)", storage_key) is None


def test_text_of_a_tab_closed_before_the_server_got_it_comes_back_and_is_saved(pages, make, session):
    challenge = make.challenge()
    therapist = make.therapist()
    context = pages.context()
    first = pages.log_in(pages.page(context), therapist)
    first.goto(desk_url(challenge))
    # The connection drops: no autosave reaches the server.
    first.route("**/answer/autosave", lambda route: route.abort("internetdisconnected"))
    pages.expect_console_error("ERR_INTERNET_DISCONNECTED")

    first.locator("#body").fill(LONG_ANSWER)
    expect(first.locator("#save-state")).to_have_text(re.compile("kept in this browser"))
    first.close()
    assert stored_answer(session, challenge, therapist) is None

    second = pages.page(context)
    second.goto(desk_url(challenge))
    expect(second.locator("#body")).to_have_value(LONG_ANSWER)
    expect(second.locator("#restored-notice")).to_contain_text(
        "We restored text you wrote earlier that had not reached the server yet"
    )
    expect(second.locator("#save-state")).to_have_text(re.compile(r"^Saved at"))
    assert stored_answer(session, challenge, therapist).body == LONG_ANSWER


def test_text_typed_just_before_the_tab_closed_comes_back(pages, make, session):
    challenge = make.challenge()
    therapist = make.therapist()
    context = pages.context()
    first = pages.log_in(pages.page(context), therapist)
    first.goto(desk_url(challenge))
    first.locator("#body").press_sequentially("Saved first.")
    expect(first.locator("#save-state")).to_have_text(re.compile(r"^Saved at"))

    # more words, then the tab dies before the autosave's pause has passed
    first.locator("#body").press_sequentially(" Then three more words")
    first.close()

    second = pages.page(context)
    second.goto(desk_url(challenge))
    expect(second.locator("#body")).to_have_value("Saved first. Then three more words")
    expect(second.locator("#save-state")).to_have_text(re.compile(r"^Saved at"))
    assert stored_answer(session, challenge, therapist).body == "Saved first. Then three more words"


def test_text_typed_after_the_session_ended_is_kept_until_the_next_login(pages, make, session):
    challenge = make.challenge()
    therapist = make.therapist()
    context = pages.context()
    desk = pages.log_in(pages.page(context), therapist)
    desk.goto(desk_url(challenge))
    elsewhere = pages.page(context)
    elsewhere.goto("/account")
    elsewhere.get_by_role("button", name="Log out", exact=True).click()
    # Closing a tab while its navigation commits can leave Chromium never
    # closing it: wait for the login page the logout lands on.
    expect(elsewhere.get_by_text("You are logged out.")).to_be_visible()
    elsewhere.close()

    desk.locator("#body").press_sequentially("Written while logged out.")
    expect(desk.locator("#save-state")).to_have_text(
        "Not saved yet — kept in this browser. Your session has ended. Please log in again; your text is kept in this browser."
    )
    assert stored_answer(session, challenge, therapist) is None
    desk.close()

    again = pages.log_in(pages.page(context), therapist)
    again.goto(desk_url(challenge))
    expect(again.locator("#body")).to_have_value("Written while logged out.")
    expect(again.locator("#save-state")).to_have_text(re.compile(r"^Saved at"))
    assert stored_answer(session, challenge, therapist).body == "Written while logged out."


def test_restored_text_can_be_swapped_for_the_version_on_the_server(pages, make):
    challenge = make.challenge()
    therapist = make.therapist()
    make.answer(challenge, therapist, body="What the server has.", submit=False)
    context = pages.context()
    page = pages.log_in(pages.page(context), therapist)
    page.goto(desk_url(challenge))
    key = page.locator("#answer-form").get_attribute("data-storage-key")
    page.evaluate("key => localStorage.setItem(key, 'An older local copy.')", key)

    page.reload()
    expect(page.locator("#body")).to_have_value("An older local copy.")
    page.get_by_role("button", name="Use the version saved on the server instead").click()
    expect(page.locator("#body")).to_have_value("What the server has.")


def test_a_submitted_answer_is_kept_in_the_browser_but_not_autosaved(pages, make, session):
    challenge = make.challenge()
    therapist = make.therapist()
    make.answer(challenge, therapist, body="Submitted words.")
    page = pages.log_in(pages.page(), therapist)
    autosaves = []
    page.on("request", lambda request: autosaves.append(request) if request.url.endswith("/autosave") else None)
    page.goto(desk_url(challenge))

    page.locator("#body").press("Control+End")
    page.locator("#body").press_sequentially(" More")
    expect(page.locator("#save-state")).to_have_text("Kept in this browser until you press “Save changes”.")
    page.wait_for_timeout(2000)  # longer than the autosave pause: nothing may be sent
    assert autosaves == []
    assert stored_answer(session, challenge, therapist).body == "Submitted words."

    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".flashes")).to_contain_text("saved")
    answer = stored_answer(session, challenge, therapist)
    assert (answer.body, answer.state) == ("Submitted words. More", AnswerState.SUBMITTED)
    key = page.locator("#answer-form").get_attribute("data-storage-key")
    assert page.evaluate("key => localStorage.getItem(key)", key) is None


def test_the_desk_saves_and_submits_without_javascript(pages, make, session):
    challenge = make.challenge(word_limit=50)
    therapist = make.therapist()
    page = pages.log_in(pages.page(java_script_enabled=False), therapist)
    page.goto(desk_url(challenge))
    expect(page.locator("#word-count")).to_have_text("0 words of 50")

    page.locator("#body").fill(LONG_ANSWER)
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".flashes")).to_contain_text("Your draft is saved")
    assert stored_answer(session, challenge, therapist).state == AnswerState.DRAFT
    expect(page.locator("#body")).to_have_value(LONG_ANSWER)

    page.get_by_label("I agree that my answer may be published").check()
    page.get_by_role("button", name="Submit answer").click()
    expect(page.locator(".flashes")).to_contain_text("Your answer is submitted")
    answer = stored_answer(session, challenge, therapist)
    assert answer.state == AnswerState.SUBMITTED
    assert answer.body == LONG_ANSWER
