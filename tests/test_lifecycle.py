"""The life of an answer: one table of moves, one move(), history of decisions."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from curation.answers import lifecycle
from curation.errors import Conflict, NotFound
from curation.models import AnswerState, AuditEntry
from tests.conftest import fresh

ROOT = Path(__file__).resolve().parent.parent


def test_an_answers_state_is_assigned_in_one_function_only():
    assignments = []
    for path in (ROOT / "curation").rglob("*.py"):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if re.search(r"\banswer\.state\s*=[^=]", line):
                assignments.append((path.relative_to(ROOT).as_posix(), number))
    assert len(assignments) == 1 and assignments[0][0] == "curation/answers/lifecycle.py"


def test_an_editor_cannot_submit_an_answer_for_its_author(session, make):
    challenge = make.challenge()
    answer = make.answer(challenge, submit=False)
    with pytest.raises(Conflict):
        lifecycle.move(session, answer, AnswerState.SUBMITTED, make.editor())
    assert answer.state == AnswerState.DRAFT


def test_an_author_cannot_approve_their_own_answer(session, make):
    challenge = make.challenge()
    answer = make.answer(challenge)
    with pytest.raises(Conflict):
        lifecycle.move(session, answer, AnswerState.APPROVED, answer.author)
    assert answer.state == AnswerState.SUBMITTED and answer.position is None


def test_another_therapist_cannot_move_an_answer(session, make):
    challenge = make.challenge()
    answer = make.answer(challenge)
    with pytest.raises(NotFound):
        lifecycle.move(session, answer, AnswerState.WITHDRAWN, make.therapist())


def test_a_withdrawn_answer_cannot_be_approved_directly(session, make):
    editor = make.editor()
    challenge = make.challenge(editor)
    answer = make.answer(challenge)
    lifecycle.move(session, answer, AnswerState.WITHDRAWN, answer.author)
    with pytest.raises(Conflict) as refused:
        lifecycle.move(session, answer, AnswerState.APPROVED, editor)
    assert "withdrawn" in refused.value.message


def test_approving_takes_a_place_in_the_order_and_leaving_gives_it_back(session, make):
    editor = make.editor()
    challenge = make.challenge(editor)
    first = make.approved(challenge, editor)
    second = make.answer(challenge)
    version = challenge.order_version
    lifecycle.move(session, second, AnswerState.APPROVED, editor)
    assert (first.position, second.position) == (1, 2) and challenge.order_version == version + 1
    lifecycle.move(session, first, AnswerState.WITHDRAWN, first.author)
    assert first.position is None and challenge.order_version == version + 2
    entry = session.scalars(select(AuditEntry).filter_by(subject_id=first.id, action="answer.withdrawn")).one()
    assert entry.detail == "approved → withdrawn"


def test_an_editor_move_stamps_the_review_and_keeps_its_note(session, make):
    editor = make.editor()
    challenge = make.challenge(editor)
    answer = make.answer(challenge)
    lifecycle.move(session, answer, AnswerState.CHANGES_REQUESTED, editor, note="  Shorter, please. ")
    assert answer.reviewed_at is not None and answer.editor_note == "Shorter, please."


def _changes_then_approval(make, session, auth, post):
    editor = make.editor()
    challenge = make.challenge(editor, topic="Rest")
    answer = make.answer(challenge)
    auth.login(editor)
    post(f"/editor/answers/{answer.id}/review", {"decision": "request_changes", "note": "Could you add one concrete moment?"})
    auth.logout()
    auth.login(answer.author)
    post(f"/challenges/{challenge.id}/answer", {"body": "Rest is the walk after a hard session.", "credit": "full",
                                               "consent": "y", "submit": "Submit answer"})
    auth.logout()
    auth.login(editor)
    return editor, challenge, answer


def test_the_review_form_starts_with_an_empty_note_for_the_new_decision(make, session, auth, client, post):
    _, _, answer = _changes_then_approval(make, session, auth, post)
    page = client.get(f"/editor/answers/{answer.id}/review").get_data(as_text=True)
    textarea = page.split('name="note"', 1)[1].split("</textarea>", 1)[0]
    assert "concrete moment" not in textarea
    # the old request is still readable, as history
    assert "asked for changes" in page and "Could you add one concrete moment?" in page


def test_the_approval_mail_carries_only_the_approvals_own_note(make, session, auth, client, post):
    from curation.models import OutboxMail

    _, _, answer = _changes_then_approval(make, session, auth, post)
    post(f"/editor/answers/{answer.id}/review", {"decision": "approve", "note": ""})
    approval = fresh(session).scalars(select(OutboxMail).filter_by(kind="answer_reviewed").order_by(OutboxMail.id.desc())).first()
    assert "approved" in approval.subject
    assert "concrete moment" not in approval.text_body and "Note from the editor" not in approval.text_body


def test_my_answers_shows_the_current_note_and_the_history(make, session, auth, client, post):
    _, _, answer = _changes_then_approval(make, session, auth, post)
    post(f"/editor/answers/{answer.id}/review", {"decision": "approve", "note": "Lovely, thank you."})
    auth.logout()
    auth.login(answer.author)
    page = client.get("/my/answers").get_data(as_text=True)
    current = page.split('class="note"', 1)[1].split("</div>", 1)[0]
    assert "Lovely, thank you." in current and "concrete moment" not in current
    history = page.split('class="answer-history"', 1)[1]
    assert history.index("asked for changes") < history.index("resubmitted") < history.index("approved it")
    assert "Could you add one concrete moment?" in history


def test_every_move_is_kept_in_the_history_with_who_made_it(make, session):
    editor = make.editor()
    challenge = make.challenge(editor)
    answer = make.approved(challenge, editor)
    rows = [(h.from_state, h.to_state, h.party, h.actor_id) for h in fresh(session).get(type(answer), answer.id).history]
    assert rows == [
        ("draft", "submitted", "author", answer.author_id),
        ("submitted", "approved", "editor", editor.id),
    ]
