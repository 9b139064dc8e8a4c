"""Leaving the order board with moves not yet saved asks first."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_order_board import board, card_ids, order_url, stored_order  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser


def test_leaving_with_unsaved_moves_asks_and_staying_keeps_them(pages, board, session):  # noqa: F811
    editor, challenge, ids = board
    page = pages.log_in(pages.page(), editor)
    page.goto(order_url(challenge))
    page.get_by_role("button", name="Move down: quote by Ada Quill, RP").click()
    asked = []

    def stay(dialog):
        asked.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    page.get_by_role("link", name=challenge.title).click()
    page.wait_for_timeout(300)
    assert asked == ["beforeunload"]
    expect(page).to_have_url(f"{pages.base_url}{order_url(challenge)}")
    assert card_ids(page) == [ids[1], ids[0], ids[2]]


def test_after_saving_leaving_asks_nothing(pages, board, session):  # noqa: F811
    editor, challenge, ids = board
    page = pages.log_in(pages.page(), editor)
    page.goto(order_url(challenge))
    page.get_by_role("button", name="Move down: quote by Ada Quill, RP").click()
    page.get_by_role("button", name="Save order").click()
    expect(page.locator(".flashes")).to_contain_text("The order is saved")
    assert stored_order(session, challenge) == [ids[1], ids[0], ids[2]]
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.accept()))
    page.get_by_role("link", name=challenge.title).click()
    expect(page).to_have_url(f"{pages.base_url}/editor/challenges/{challenge.id}")
    assert asked == []
