"""Account pages on a phone: a long e-mail address wraps instead of widening
the page, and the two-step QR code shows under the content policy."""
from __future__ import annotations

import pytest

from curation.accounts import services as accounts
from curation.models import Role

pytestmark = pytest.mark.browser

LONG = "dana.whitfield.registered.psychotherapist.qualifying@counselling-practice.example.org"


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_a_long_address_on_the_invitation_page_fits_a_375_px_screen(pages, make, session):
    _, token = accounts.invite(session, email=LONG, role=Role.THERAPIST, invited_by=make.editor())
    session.commit()
    page = pages.page(viewport={"width": 375, "height": 740})
    page.goto(f"/auth/invite/{token}")
    assert page.get_by_text(LONG).is_visible()
    assert _no_sideways_scroll(page)


def test_the_reset_page_and_the_two_step_qr_code_load_without_a_refusal(pages, make):
    editor = make.editor(email=LONG)
    page = pages.page(viewport={"width": 375, "height": 740})
    page.goto("/auth/reset")
    page.get_by_label("E-mail").fill(LONG)
    page.get_by_role("button", name="Send me a link").click()
    assert page.get_by_text(LONG).is_visible() and _no_sideways_scroll(page)
    pages.log_in(page, editor)
    page.goto("/account/two-step")
    box = page.locator(".qr svg").bounding_box()
    assert box and box["width"] > 100  # drawn, not refused
    assert _no_sideways_scroll(page)
