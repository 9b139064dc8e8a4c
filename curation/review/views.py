from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from curation import db
from curation.answers import lifecycle, quote_changes
from curation.challenges import progress
from curation.challenges import services as challenges
from curation.errors import Conflict, Invalid, show_beside_field
from curation.excerpts import excerpt_spans
from curation.mail import services as mail
from curation.models import AnswerState
from curation.privacy import services as privacy
from curation.publishing import services as publishing
from curation.review import services as review
from curation.review.forms import (
    CorrectionDecisionForm,
    OrderForm,
    QuoteChangeForm,
    ReviewForm,
)
from curation.security import editor_required, is_safe_next

bp = Blueprint("review", __name__, url_prefix="/editor")


@bp.get("/challenges/<int:challenge_id>")
@editor_required
def queue(challenge_id: int):
    challenge = challenges.get(db.session, challenge_id)
    state = request.args.get("state") or None
    state = AnswerState(state) if state in review.REVIEWABLE else None
    # one count of the answers by state feeds the pager, the progress block and the next step
    counts = challenges.counts_of(db.session, challenge)
    page = review.queue(
        db.session, challenge, state=state, page=request.args.get("page", 1, type=int), answers_by_state=counts
    )
    correction = publishing.correction_owed(db.session, challenge)
    return render_template(
        "review/queue.html",
        challenge=challenge,
        page=page,
        state=state,
        states=review.QUEUE_STATES,
        current=publishing.current_publication_of(db.session, challenge),
        credit_lines=publishing.credit_lines(db.session, page.answers),
        progress=progress.of(db.session, challenge, counts) if challenge.state == "open" else None,
        correction=correction,
        step=challenges.next_step(
            challenge,
            counts,
            ordered=challenges.is_ordered(db.session, challenge),
            correction_owed=correction is not None,
        ),
    )


@bp.route("/answers/<int:answer_id>/review", methods=["GET", "POST"])
@editor_required
def decide(answer_id: int):
    answer = review.get_for_review(db.session, answer_id)
    form = ReviewForm()
    status = 200
    if request.method == "GET":
        form.decision.data = review.decision_for(answer.state)
        form.excerpt.data = answer.excerpt or ""
        form.card_excerpt.data = answer.card_excerpt or ""
        form.next.data = request.args.get("next", "")
    elif form.validate_on_submit():
        try:
            checked = review.review(
                db.session,
                answer,
                current_user,
                decision=form.decision.data,
                note=form.note.data or "",
                excerpt=form.excerpt.data or "",
                card_excerpt=form.card_excerpt.data or "",
            )
        except (Invalid, Conflict) as problem:
            status = show_beside_field(form, problem, "note")
        else:
            mail.queue_answer_reviewed(db.session, answer, (checked.excerpt, checked.card_excerpt))
            db.session.commit()
            flash(lifecycle.decided_sentence(answer))
            target = form.next.data
            return redirect(target if is_safe_next(target) else url_for("review.queue", challenge_id=answer.challenge_id))
    if form.errors and status == 200:
        status = 400
    return _review_page(answer, form, status=status)


def _review_page(answer, form, quote_form=None, status=None):
    status = status or (400 if form.errors else 200)
    # what the excerpt in the form cuts from the answer; none while the excerpt itself is refused
    excerpt = None if form.excerpt.errors else form.excerpt.data
    spans = excerpt_spans(answer.body, excerpt) if excerpt else None
    change = quote_changes.open_change(db.session, answer)
    return render_template(
        "review/answer.html",
        answer=answer,
        form=form,
        spans=spans,
        credit_line=publishing.credit_lines(db.session, [answer])[answer.id],
        quote_form=quote_form or QuoteChangeForm(formdata=None),
        change=change,
        change_spans=quote_changes.proposed_spans(change) if change else None,
        privacy_marks=privacy.marked(answer.body),
    ), status


@bp.post("/answers/<int:answer_id>/quote-change")
@editor_required
def propose_quote_change(answer_id: int):
    answer = review.get_for_review(db.session, answer_id)
    quote_form = QuoteChangeForm()
    if quote_form.validate_on_submit():
        try:
            change = quote_changes.propose_by_editor(
                db.session, answer, current_user, excerpt=quote_form.excerpt.data or "", note=quote_form.note.data or ""
            )
        except Invalid as problem:
            if problem.field != "excerpt":
                raise  # not a published quote: the refusal is the whole page
            db.session.rollback()
            quote_form.excerpt.errors = [*quote_form.excerpt.errors, problem.message]
        else:
            mail.queue_quote_change_for_author(db.session, change)
            db.session.commit()
            flash(f"{answer.author.name} is asked to agree to the new words. The published page keeps the current "
                  "words until they accept and you publish a correction.")
            return redirect(url_for("review.decide", answer_id=answer.id))
    form = ReviewForm(formdata=None, decision=review.decision_for(answer.state), excerpt=answer.excerpt or "",
                      card_excerpt=answer.card_excerpt or "")
    return _review_page(answer, form, quote_form, status=400)


def _corrections_page(status=200, *, failed=None, failed_form=None):
    requests = quote_changes.correction_requests(db.session)
    return render_template(
        "review/corrections.html",
        requests=requests,
        diffs={c.id: quote_changes.word_diff(c.answer.body, c.text) for c in requests},
        form_for=lambda change: failed_form if failed == change.id else CorrectionDecisionForm(formdata=None),
    ), status


@bp.get("/corrections")
@editor_required
def corrections():
    return _corrections_page()


@bp.post("/answers/<int:answer_id>/correction")
@editor_required
def decide_correction(answer_id: int):
    answer = review.get_for_review(db.session, answer_id)
    form = CorrectionDecisionForm()
    change_id = int(form.change_id.data) if (form.change_id.data or "").isdigit() else None
    if not form.validate_on_submit():
        return _corrections_page(400, failed=change_id, failed_form=form)
    try:
        change = quote_changes.decide_as_editor(
            db.session, answer, current_user, change_id=change_id, approve=form.decision.data == "approve",
            excerpt=form.excerpt.data or "", note=form.note.data or "",
        )
    except Invalid as problem:
        db.session.rollback()
        form.excerpt.errors = [*form.excerpt.errors, problem.message]
        return _corrections_page(400, failed=change_id, failed_form=form)
    except Conflict as problem:
        db.session.rollback()
        flash(problem.message, "error")
        return _corrections_page(409)
    if change.state == "approved":
        mail.queue_quote_change_for_author(db.session, change)
    db.session.commit()
    flash({
        "accepted": "Approved: the corrected words will be published in the next correction.",
        "approved": f"Approved with an excerpt: {answer.author.name} is asked to accept it.",
        "declined": "Declined: the published words stay as they are.",
    }[change.state])
    return redirect(url_for("review.corrections"))


@bp.route("/challenges/<int:challenge_id>/order", methods=["GET", "POST"])
@editor_required
def order(challenge_id: int):
    challenge = challenges.get(db.session, challenge_id)
    form = OrderForm()
    status = 200
    if form.validate_on_submit():
        try:
            review.save_order(
                db.session,
                challenge,
                current_user,
                answer_ids=review.parse_order(form.order.data),
                version=form.version.data,
            )
        except (Conflict, Invalid) as problem:
            status = show_beside_field(form, problem, "order")
        else:
            db.session.commit()
            flash("The order is saved.")
            return redirect(url_for("review.order", challenge_id=challenge.id))
    elif form.is_submitted():
        status = 400
    quotes = review.approved_in_order(db.session, challenge)
    return (
        render_template(
            "review/order.html",
            challenge=challenge,
            quotes=quotes,
            moves=review.moves(quotes),
            credit_lines=publishing.credit_lines(db.session, quotes),
            form=form,
        ),
        status,
    )
