"""The publish page follows the work after the commit without a reload."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import run_jobs

pytestmark = pytest.mark.browser


def test_the_cards_being_drawn_show_on_the_publish_page_without_a_reload(pages, app, make, session):
    editor, challenge = make.ready_to_publish("Rest is a kindness.", "Rest is a door left open.")
    page = pages.log_in(pages.page(), editor)
    page.goto(f"/editor/challenges/{challenge.id}/publish")
    page.get_by_role("button", name="Publish…", exact=True).click()
    page.get_by_role("button", name="Yes, publish now").click()
    page.wait_for_url("**/features/what-is-rest")

    page.goto(f"/editor/challenges/{challenge.id}/publish")
    cards = page.locator('[data-progress="cards"]')
    expect(cards).to_have_text("0 of 3 drawn")  # two cards and the link preview
    run_jobs(app)  # as the sender thread would, while the page stays open
    expect(cards).to_have_text("3 of 3 drawn — all ready", timeout=5_000)
