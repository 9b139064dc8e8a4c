from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from curation import db
from curation.answers import lifecycle, quote_changes
from curation.answers import services as answers
from curation.answers.forms import (
    AnswerForm,
    CorrectionForm,
    ExcerptDecisionForm,
    QuoteChangeDecisionForm,
)
from curation.challenges import services as challenges
from curation.db import utcnow
from curation.errors import DomainError, show_beside_field
from curation.excerpts import excerpt_spans
from curation.mail import services as mail
from curation.practice import services as practice_settings
from curation.privacy import services as privacy
from curation.publishing import services as publishing
from curation.security import therapist_required

bp = Blueprint("answers", __name__)
# The answer's rules, asked by every template that shows an answer.
for _name, _helper in lifecycle.TEMPLATE_HELPERS.items():
    bp.add_app_template_global(_helper, _name)
bp.record_once(lambda state: state.app.jinja_env.globals.update(answer_states=lifecycle.ALL_STATES))
bp.add_app_template_global(challenges.may_move, "challenge_may")
bp.add_app_template_global(quote_changes.awaits_author, "awaits_author")
bp.add_app_template_global(quote_changes.awaits_editor, "awaits_editor")

OUTCOME_MESSAGES = {
    answers.Outcome.SAVED: "Your draft is saved. Only you can see it.",
    answers.Outcome.SUBMITTED: "Thank you! Your answer is submitted. You can still change it until the editor reviews it.",
    answers.Outcome.CHANGES_SAVED: "Your changes are saved. Your answer stays submitted until the editor reviews it.",
    answers.Outcome.KEPT_AS_DRAFT: (
        "The challenge stopped taking answers before you submitted, so your answer was not "
        "submitted. Your text is safe: it is saved as a draft below."
    ),
}


@bp.after_request
def never_from_cache(response):
    """A desk page shown from the browser's cache could pair an old error or count
    with newer text, and Back would show words the server no longer holds."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/challenges/")
@therapist_required
def open_challenges():
    listed = challenges.open_for_therapists(db.session)
    own = answers.own_answers_by_challenge(db.session, current_user, [c.id for c in listed])
    now = utcnow()
    closed = {c.id: answers.submit_problem(c, own.get(c.id), now) for c in listed}
    return render_template("answers/open.html", challenges=listed, own=own, closed=closed)


def _desk(challenge, form, answer, status=200):
    editable = lifecycle.can_edit(answer)
    # the anonymous credit reads as the site's setting says it will be printed
    anonymous = practice_settings.load(db.session)["anonymous_credit"]
    form.credit.choices = [
        SelectChoice(c.value, f"Anonymously (“{anonymous}”)" if c.value == "anonymous" else c.label)
        for c in map(SelectChoice.from_input, form.credit.choices)
    ]
    return (
        render_template(
            "answers/desk.html",
            challenge=challenge,
            form=form,
            answer=answer,
            decision_form=ExcerptDecisionForm(formdata=None),
            spans=excerpt_spans(answer.body, answer.excerpt) if answer and answer.excerpt else None,
            card_spans=excerpt_spans(answer.body, answer.card_excerpt) if answer and answer.card_excerpt else None,
            editable=editable,
            # said before the therapist types, not only on Submit
            closed_message=answers.submit_problem(challenge, answer, utcnow()),
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
        status = show_beside_field(form, problem, "body")
        return _desk(challenge, form, answers.own_answer(db.session, challenge, current_user), status)
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
    kind = "card" if form.kind.data == "card" else "excerpt"
    answers.decide_excerpt(db.session, answer, current_user, accept=form.decision.data == "accept",
                           note=form.note.data or "", kind=kind)
    mail.queue_excerpt_decided(db.session, answer, kind=kind)
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


def _mine(status=200, *, correction_form=None, correcting=None, change_form=None, deciding=None):
    own = answers.answers_of(db.session, current_user)
    changes = quote_changes.open_changes_by_answer(db.session, [a.id for a in own])
    return render_template(
        "answers/mine.html",
        answers=own,
        spans_by_answer={a.id: excerpt_spans(a.body, a.excerpt) for a in own if a.excerpt},
        card_spans_by_answer={a.id: excerpt_spans(a.body, a.card_excerpt) for a in own if a.card_excerpt},
        credit_lines=publishing.credit_lines(db.session, own),
        decision_form=ExcerptDecisionForm(formdata=None),
        changes=changes,
        # what a proposal would cut, struck through, as for a first excerpt
        change_spans={answer_id: quote_changes.proposed_spans(c) for answer_id, c in changes.items()},
        consent_statement=quote_changes.CONSENT_STATEMENT,
        # a refused form comes back filled in beside its own answer; the others start empty
        correction_form=lambda answer: correction_form if correcting == answer.id else CorrectionForm(formdata=None, body=answer.body),
        change_form=lambda answer: change_form if deciding == answer.id else QuoteChangeDecisionForm(formdata=None),
    ), status


@bp.get("/my/answers")
@therapist_required
def mine():
    return _mine()


@bp.post("/my/answers/<int:answer_id>/correction")
@therapist_required
def propose_correction(answer_id: int):
    answer = answers.own_answer_by_id_or_404(db.session, current_user, answer_id)
    form = CorrectionForm()
    if form.validate_on_submit():
        try:
            change = quote_changes.propose_by_author(db.session, answer, current_user, body=form.body.data or "",
                                                     note=form.note.data or "")
        except DomainError as problem:
            if problem.field != "body":
                raise  # not a published quote: the refusal is the whole page
            db.session.rollback()
            form.body.errors = [*form.body.errors, problem.message]
        else:
            mail.queue_correction_requested(db.session, change)
            db.session.commit()
            flash("Thank you: your corrected wording is with the editors. The published page keeps the current "
                  "words until they approve it and publish a correction.")
            return redirect(url_for("answers.mine") + f"#my-answer-{answer.id}")
    return _mine(400, correction_form=form, correcting=answer.id)


@bp.post("/my/answers/<int:answer_id>/quote-change")
@therapist_required
def quote_change_decision(answer_id: int):
    answer = answers.own_answer_by_id_or_404(db.session, current_user, answer_id)
    form = QuoteChangeDecisionForm()
    if not form.validate_on_submit():
        return _mine(400, change_form=form, deciding=answer.id)
    try:
        quote_changes.decide_as_author(
            db.session, answer, current_user, change_id=_int_or_none(form.change_id.data),
            accept=form.decision.data == "accept", note=form.note.data or "",
        )
    except DomainError as problem:
        db.session.rollback()
        flash(problem.message, "error")
        return _mine(problem.status)
    db.session.commit()
    flash("Thank you: these words will be published in the next correction." if form.decision.data == "accept"
          else "Thank you: the published words stay as they are.")
    return redirect(url_for("answers.mine") + f"#my-answer-{answer.id}")


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
