from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user

from curation import db
from curation.challenges import services as challenges
from curation.errors import Invalid
from curation.privacy import services as privacy
from curation.review import services as review
from curation.security import editor_required

bp = Blueprint("privacy", __name__, url_prefix="/editor")


@bp.post("/answers/<int:answer_id>/privacy/acknowledge")
@editor_required
def acknowledge(answer_id: int):
    answer = review.get_for_review(db.session, answer_id)
    target = url_for("publishing.publish_page", challenge_id=answer.challenge_id) + "#privacy-check"
    try:
        row = privacy.acknowledge(db.session, answer, current_user, request.form.get("flag", ""))
    except Invalid as problem:
        db.session.rollback()
        flash(problem.message, "error")
        return redirect(target, 303)
    db.session.commit()
    flash(f"Acknowledged: “{row.passage}” may be published as it stands.")
    return redirect(target, 303)


@bp.post("/challenges/<int:challenge_id>/crisis-resources")
@editor_required
def crisis_resources(challenge_id: int):
    challenge = challenges.get(db.session, challenge_id)
    add = request.form.get("add") == "y"
    privacy.set_crisis_resources(db.session, challenge, current_user, add)
    db.session.commit()
    flash("The crisis-resources line will be added under the feature." if add
          else "The crisis-resources line will not be added.")
    return redirect(url_for("publishing.publish_page", challenge_id=challenge_id) + "#privacy-check", 303)
