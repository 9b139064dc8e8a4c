"""The editor's ordering board in a real browser: drag, keyboard, no
JavaScript, and two editors saving over each other."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from curation.review import services as review

pytestmark = pytest.mark.browser


@pytest.fixture
def board(make):
    """An editor and an open challenge with three approved quotes, first to last."""
    editor = make.editor()
    challenge = make.challenge(editor)
    quotes = [
        make.approved(challenge, editor, make.therapist(name="Ada Quill"), body="Rest is listening to the body."),
        make.approved(challenge, editor, make.therapist(name="Ben Marsh"), body="Rest is permission to stop."),
        make.approved(challenge, editor, make.therapist(name="Cy Dunn"), body="Rest is where insight lands.", credit="anonymous"),
    ]
    return editor, challenge, [q.id for q in quotes]


def stored_order(session, challenge) -> list[int]:
    session.rollback()
    session.expire_all()
    return [a.id for a in review.approved_in_order(session, challenge)]


def order_url(challenge) -> str:
    return f"/editor/challenges/{challenge.id}/order"


def card_ids(page) -> list[int]:
    return [int(i) for i in page.locator("#order-board > li.quote-card").evaluate_all("cards => cards.map(c => c.dataset.answerId)")]


def test_the_board_shows_each_quote_as_it_will_read_with_its_credit_line(pages, board):
    editor, challenge, _ = board
    page = pages.log_in(pages.page(), editor)
    page.goto(order_url(challenge))
    cards = page.locator("#order-board > li.quote-card")
    expect(cards).to_have_count(3)
    expect(cards.nth(0)).to_contain_text("Rest is listening to the body.")
    expect(cards.nth(0)).to_contain_text("— Ada Quill, RP")
    expect(cards.nth(2)).not_to_contain_text("Cy Dunn")


def test_dragging_a_card_by_its_handle_and_saving_stores_the_new_order(pages, board, session):
    editor, challenge, (first, second, third) = board
    page = pages.log_in(pages.page(), editor)
    page.goto(order_url(challenge))

    handle = page.locator(f"li[data-answer-id='{third}'] .handle")
    target = page.locator(f"li[data-answer-id='{first}']")
    handle.drag_to(target, target_position={"x": 40, "y": 10})

    assert card_ids(page) == [third, first, second]
    expect(page.locator("#order-field")).to_have_value(f"{third},{first},{second}")
    expect(page.locator("#order-status")).to_have_text(re.compile("^Moved to position 1 of 3"))
    page.get_by_role("button", name="Save order").click()
    expect(page.locator(".flashes")).to_contain_text("The order is saved.")
    assert stored_order(session, challenge) == [third, first, second]


def test_move_buttons_work_from_the_keyboard_and_focus_stays_with_the_card(pages, board, session):
    editor, challenge, (first, second, third) = board
    page = pages.log_in(pages.page(), editor)
    page.goto(order_url(challenge))

    page.locator(f"li[data-answer-id='{first}'] .move-down").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#order-status")).to_have_text("Moved to position 2 of 3. Save the order to keep it.")
    page.keyboard.press("Space")
    expect(page.locator("#order-status")).to_have_text("Moved to position 3 of 3. Save the order to keep it.")
    # at the bottom "Move down" no longer applies, so "Move up" of the same card holds focus
    focused = page.evaluate("() => [document.activeElement.className, document.activeElement.closest('li').dataset.answerId]")
    assert focused == ["move-up", str(first)]
    assert card_ids(page) == [second, third, first]

    page.get_by_role("button", name="Save order").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".flashes")).to_contain_text("The order is saved.")
    assert stored_order(session, challenge) == [second, third, first]


def test_move_buttons_post_a_whole_order_without_javascript(pages, board, session):
    editor, challenge, (first, second, third) = board
    page = pages.log_in(pages.page(java_script_enabled=False), editor)
    page.goto(order_url(challenge))

    page.locator(f"li[data-answer-id='{first}'] .move-down").click()
    expect(page.locator(".flashes")).to_contain_text("The order is saved.")
    assert stored_order(session, challenge) == [second, first, third]
    assert card_ids(page) == [second, first, third]

    page.locator(f"li[data-answer-id='{third}'] .move-up").click()
    expect(page.locator(".flashes")).to_contain_text("The order is saved.")
    assert stored_order(session, challenge) == [second, third, first]


def test_a_second_editor_saving_an_old_order_is_told_in_plain_words(pages, board, session):
    editor, challenge, (first, second, third) = board
    context = pages.context()
    pages.log_in(pages.page(context), editor)
    mine, theirs = pages.page(context), pages.page(context)
    mine.goto(order_url(challenge))
    theirs.goto(order_url(challenge))

    theirs.locator(f"li[data-answer-id='{third}'] .move-up").click()
    theirs.get_by_role("button", name="Save order").click()
    expect(theirs.locator(".flashes")).to_contain_text("The order is saved.")

    mine.locator(f"li[data-answer-id='{first}'] .move-down").click()
    with mine.expect_response(lambda r: r.request.method == "POST") as response:
        mine.get_by_role("button", name="Save order").click()
    assert response.value.status == 409
    problem = mine.get_by_role("alert")
    expect(problem).to_be_visible()
    expect(problem).to_contain_text("Someone else changed the quotes or their order since you opened this page")
    expect(problem).to_be_focused()
    assert stored_order(session, challenge) == [first, third, second]
