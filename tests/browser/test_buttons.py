"""Small behaviours of buttons: copying an export, asking before withdrawing."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from curation.models import Answer, AnswerState

pytestmark = pytest.mark.browser


def test_copy_button_puts_the_invitation_link_on_the_clipboard_and_says_so(pages, make):
    editor = make.editor()
    context = pages.context()
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = pages.log_in(pages.page(context), editor)
    page.goto("/editor/people")
    page.get_by_label("E-mail").fill("new.colleague@example.org")
    page.get_by_role("button", name="Make invitation link").click()
    link = page.locator("#invitation-url").input_value()
    assert "/auth/invite/" in link

    page.get_by_role("button", name="Copy link").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("() => navigator.clipboard.readText()") == link


def test_withdrawing_asks_first_and_a_no_changes_nothing(pages, make, session):
    challenge = make.challenge()
    therapist = make.therapist()
    make.answer(challenge, therapist)
    page = pages.log_in(pages.page(), therapist)
    page.goto(f"/challenges/{challenge.id}/answer")

    questions = []

    def answer_no(dialog):
        questions.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", answer_no)
    page.get_by_role("button", name="Withdraw my answer").click()
    assert questions == ["Withdraw your answer? The editor will not use it."]
    expect(page).to_have_url(f"{pages.base_url}/challenges/{challenge.id}/answer")
    expect(page.locator(".flashes")).to_have_count(0)
    session.rollback()
    assert session.scalar(select(Answer.state).where(Answer.author_id == therapist.id)) == AnswerState.SUBMITTED

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Withdraw my answer").click()
    expect(page.locator(".flashes")).to_contain_text("Your answer is withdrawn")
    session.rollback()
    assert session.scalar(select(Answer.state).where(Answer.author_id == therapist.id)) == AnswerState.WITHDRAWN
