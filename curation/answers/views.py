from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from curation import db
from curation.answers import services as answers
from curation.answers.forms import AnswerForm, ExcerptDecisionForm
from curation.challenges import services as challenges
from curation.errors import DomainError
from curation.mail import services as mail
from curation.models import AnswerState
from curation.privacy import services as privacy
from curation.review.services import excerpt_spans
from curation.security import therapist_required

bp = Blueprint("answers", __name__)

OUTCOME_MESSAGES = {
    answers.Outcome.SAVED: "Your draft is saved. Only you can see it.",
    answers.Outcome.SUBMITTED: "Thank you! Your answer is submitted. You can still change it until the editor reviews it.",
    answers.Outcome.CHANGES_SAVED: "Your changes are saved. Your answer stays submitted until the editor reviews it.",
    answers.Outcome.KEPT_AS_DRAFT: (
        "The challenge stopped taking answers before you submitted, so your answer was not "
        "submitted. Your text is safe: it is saved as a draft below."
    ),
}


@bp.get("/challenges/")
@therapist_required
def open_challenges():
    listed = challenges.open_for_therapists(db.session)
    own = answers.own_answers_by_challenge(db.session, current_user, [c.id for c in listed])
    return render_template("answers/open.html", challenges=listed, own=own)


def _desk(challenge, form, answer, status=200):
    editable = answer is None or answer.state in answers.EDITABLE
    return (
        render_template(
            "answers/desk.html",
            challenge=challenge,
            form=form,
            answer=answer,
            decision_form=ExcerptDecisionForm(formdata=None),
            spans=excerpt_spans(answer.body, answer.excerpt) if answer and answer.excerpt else None,
            editable=editable,
            privacy_marks=privacy.marked(answer.body) if answer else [],
            # text sent to an answer that can no longer change: shown, never dropped
            unsaved_text=form.body.data if not editable and form.is_submitted() else None,
        ),
        status,
    )


@bp.route("/challenges/<int:challenge_id>/answer", methods=["GET", "POST"])
@therapist_required
def desk(challenge_id: int):
    challenge = challenges.get_visible_to_therapists(db.session, challenge_id)
    answer = answers.own_answer(db.session, challenge, current_user)
    form = AnswerForm()
    if request.method == "GET":
        if answer is not None:
            form.body.data, form.credit.data, form.consent.data = answer.body, answer.credit.value, answer.has_consent
        return _desk(challenge, form, answer)
    if not form.validate_on_submit():
        return _desk(challenge, form, answer, 400)
    try:
        answer, outcome = answers.save(
            db.session,
            challenge,
            current_user,
            body=form.body.data or "",
            credit=form.credit.data,
            consent=form.consent.data,
            submit=bool(form.submit.data),
        )
    except DomainError as problem:
        db.session.rollback()
        form.body.errors.append(problem.message)
        return _desk(challenge, form, answers.own_answer(db.session, challenge, current_user), problem.status)
    db.session.commit()
    flash(OUTCOME_MESSAGES[outcome], "warning" if outcome == answers.Outcome.KEPT_AS_DRAFT else "info")
    if privacy.marked(answer.body):
        flash("The privacy check found passages that may identify someone: see them below.", "warning")
    return redirect(url_for("answers.desk", challenge_id=challenge_id))


@bp.post("/challenges/<int:challenge_id>/answer/autosave")
@therapist_required
def autosave(challenge_id: int):
    challenge = challenges.get_visible_to_therapists(db.session, challenge_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        return {"error": " ".join(e for errors in form.errors.values() for e in errors)}, 400
    answer = answers.autosave(
        db.session, challenge, current_user, body=form.body.data or "", credit=form.credit.data, consent=form.consent.data
    )
    db.session.commit()
    return {"saved": True, "state": answer.state.value, "words": answers.count_words(answer.body)}


@bp.post("/challenges/<int:challenge_id>/answer/withdraw")
@therapist_required
def withdraw(challenge_id: int):
    challenge = challenges.get_visible_to_therapists(db.session, challenge_id)
    answer = answers.own_answer_or_404(db.session, challenge, current_user)
    answers.withdraw(db.session, answer, current_user)
    db.session.commit()
    flash("Your answer is withdrawn. The editor will not use it. You can edit and submit it again while the challenge is open.")
    return redirect(url_for("answers.mine"))


@bp.post("/challenges/<int:challenge_id>/answer/excerpt")
@therapist_required
def excerpt_decision(challenge_id: int):
    challenge = challenges.get_visible_to_therapists(db.session, challenge_id)
    answer = answers.own_answer_or_404(db.session, challenge, current_user)
    form = ExcerptDecisionForm()
    if not form.validate_on_submit():
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
        return _desk(challenge, AnswerForm(formdata=None), answer, 400)
    answers.decide_excerpt(db.session, answer, current_user, accept=form.decision.data == "accept", note=form.note.data or "")
    mail.queue_excerpt_decided(db.session, answer)
    db.session.commit()
    flash("Thank you: the editor will use these exact words." if form.decision.data == "accept"
          else "Thank you: the editor will see that you declined, with your note.")
    came_from_my_answers = request.form.get("from_page") == "mine"
    return redirect(url_for("answers.mine") if came_from_my_answers else url_for("answers.desk", challenge_id=challenge_id))


@bp.post("/my/answers/<int:answer_id>/withdraw-consent")
@therapist_required
def withdraw_consent(answer_id: int):
    answer = answers.own_answer_by_id_or_404(db.session, current_user, answer_id)
    answers.withdraw_consent(db.session, answer, current_user)
    mail.queue_consent_withdrawn(db.session, answer)
    db.session.commit()
    flash("Your consent is withdrawn. The editors have been told and will publish a correction without your quote.")
    return redirect(url_for("answers.mine"))


@bp.get("/my/answers")
@therapist_required
def mine():
    own = answers.answers_of(db.session, current_user)
    return render_template(
        "answers/mine.html",
        answers=own,
        spans_by_answer={a.id: excerpt_spans(a.body, a.excerpt) for a in own if a.excerpt},
        decision_form=ExcerptDecisionForm(formdata=None),
        AnswerState=AnswerState,
    )
