from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from curation import db
from curation.challenges import services as challenges
from curation.errors import Conflict, Invalid
from curation.mail import services as mail
from curation.models import AnswerState
from curation.publishing import services as publishing
from curation.review import services as review
from curation.review.forms import OrderForm, ReviewForm
from curation.security import editor_required, is_safe_next

bp = Blueprint("review", __name__, url_prefix="/editor")


@bp.get("/challenges/<int:challenge_id>")
@editor_required
def queue(challenge_id: int):
    challenge = challenges.get(db.session, challenge_id)
    state = request.args.get("state") or None
    state = AnswerState(state) if state in review.REVIEWABLE else None
    page = review.queue(db.session, challenge, state=state, page=request.args.get("page", 1, type=int))
    correction = publishing.correction_owed(db.session, challenge)
    return render_template(
        "review/queue.html",
        challenge=challenge,
        page=page,
        state=state,
        states=review.QUEUE_STATES,
        current=publishing.current_publication_of(db.session, challenge),
        correction=correction,
        step=challenges.next_step(
            challenge,
            challenges.counts_of(db.session, challenge),
            ordered=challenges.is_ordered(db.session, challenge),
            correction_owed=correction is not None,
        ),
    )


@bp.route("/answers/<int:answer_id>/review", methods=["GET", "POST"])
@editor_required
def decide(answer_id: int):
    answer = review.get_for_review(db.session, answer_id)
    form = ReviewForm()
    if request.method == "GET":
        form.decision.data = review.decision_for(answer.state)
        form.note.data = answer.editor_note
        form.excerpt.data = answer.excerpt or ""
        form.next.data = request.args.get("next", "")
    elif form.validate_on_submit():
        try:
            review.review(
                db.session,
                answer,
                current_user,
                decision=form.decision.data,
                note=form.note.data or "",
                excerpt=form.excerpt.data or "",
            )
        except (Invalid, Conflict) as problem:
            getattr(form, problem.field or "note").errors.append(problem.message)
        else:
            mail.queue_answer_reviewed(db.session, answer)
            db.session.commit()
            flash(f"{answer.author.name}’s answer: {answer.state.replace('_', ' ')}.")
            target = form.next.data
            return redirect(target if is_safe_next(target) else url_for("review.queue", challenge_id=answer.challenge_id))
    status = 400 if form.errors else 200
    # what the excerpt in the form cuts from the answer; none while the excerpt itself is refused
    excerpt = None if form.excerpt.errors else form.excerpt.data
    spans = review.excerpt_spans(answer.body, excerpt) if excerpt else None
    return render_template("review/answer.html", answer=answer, form=form, spans=spans), status


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
        except Conflict as problem:
            db.session.rollback()
            form.order.errors.append(problem.message)
            status = 409
        except Invalid as problem:
            db.session.rollback()
            form.order.errors.append(problem.message)
            status = 400
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
