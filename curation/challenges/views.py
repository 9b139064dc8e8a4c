from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from curation import db
from curation.challenges import progress
from curation.challenges import services as challenges
from curation.challenges.forms import ChallengeForm
from curation.errors import Conflict
from curation.mail import services as mail
from curation.publishing import services as publishing
from curation.security import editor_required
from curation.suggestions import services as suggestions

bp = Blueprint("challenges", __name__, url_prefix="/editor")


@bp.get("/")
@editor_required
def dashboard():
    rows = challenges.all_with_counts(db.session)
    owed = publishing.corrections_owed(db.session)
    owed_ids, ordered = {c.id for c in owed}, challenges.ordered_ids(db.session)
    steps = {
        c.id: challenges.next_step(c, counts, ordered=c.id in ordered, correction_owed=c.id in owed_ids)
        for c, counts in rows
    }
    return render_template("challenges/dashboard.html", rows=rows, corrections_owed=owed, steps=steps)


@bp.route("/challenges/new", methods=["GET", "POST"])
@editor_required
def new():
    form = ChallengeForm()
    # "Start a challenge from this" on a reader's suggestion: prefilled, and linked once saved
    suggestion_id = request.args.get("suggestion", type=int)
    suggestion = suggestions.get(db.session, suggestion_id) if suggestion_id else None
    if form.validate_on_submit():
        challenge = challenges.create(db.session, current_user, form.fields_for_service())
        if suggestion is not None:
            suggestions.start_challenge_from(db.session, suggestion, challenge, current_user)
        db.session.commit()
        flash("The challenge is saved as a draft. Open it when you are ready for answers.")
        return redirect(url_for("review.queue", challenge_id=challenge.id))
    if suggestion is not None and not form.is_submitted():
        form.process(data=suggestions.prefill(suggestion))
    return render_template("challenges/edit.html", form=form, challenge=None, suggestion=suggestion), 400 if form.errors else 200


@bp.route("/challenges/<int:challenge_id>/edit", methods=["GET", "POST"])
@editor_required
def edit(challenge_id: int):
    challenge = challenges.get(db.session, challenge_id)
    form = ChallengeForm()
    if form.validate_on_submit():
        challenges.update(db.session, challenge, current_user, form.fields_for_service())
        db.session.commit()
        flash(_saved_message(challenge))
        return redirect(url_for("review.queue", challenge_id=challenge.id))
    if not form.is_submitted():
        form.fill_from(challenge)
    return render_template("challenges/edit.html", form=form, challenge=challenge), 400 if form.errors else 200


@bp.post("/challenges/<int:challenge_id>/open")
@editor_required
def open_(challenge_id: int):
    challenge = challenges.get(db.session, challenge_id)
    challenges.open_challenge(db.session, challenge, current_user)
    mail.queue_challenge_opened(db.session, challenge)
    db.session.commit()
    flash("The challenge is open: therapists can answer it now.")
    return redirect(url_for("review.queue", challenge_id=challenge.id))


@bp.post("/challenges/<int:challenge_id>/close")
@editor_required
def close(challenge_id: int):
    challenge = challenges.get(db.session, challenge_id)
    challenges.close_challenge(db.session, challenge, current_user)
    db.session.commit()
    flash("The challenge is closed: no new answers are accepted.")
    return redirect(url_for("review.queue", challenge_id=challenge.id))


@bp.post("/challenges/<int:challenge_id>/remind/<int:user_id>")
@editor_required
def remind(challenge_id: int, user_id: int):
    challenge = challenges.get(db.session, challenge_id)
    target = url_for("review.queue", challenge_id=challenge.id) + "#progress"
    try:
        therapist = progress.remind(db.session, challenge, user_id, current_user)
    except Conflict as problem:
        db.session.rollback()
        flash(problem.message, "error")
        return redirect(target)
    db.session.commit()
    flash(f"A reminder is on its way to {therapist.name}.")
    return redirect(target)
def _saved_message(challenge) -> str:
    current = publishing.current_publication_of(db.session, challenge)
    if current is None:
        return "Changes saved."
    return (
        f"Changes saved, but not yet public: the public page still shows version {current.version}. "
        "Publish a correction to put them live; what will change is shown below."
    )
