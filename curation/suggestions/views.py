from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from curation import db
from curation.errors import Conflict
from curation.extensions import limiter
from curation.security import editor_required
from curation.suggestions import services as suggestions
from curation.suggestions.forms import SuggestionDecisionForm, SuggestionForm

bp = Blueprint("suggestions", __name__)

# A topic, some details and an address fit many times over; more is not a reader.
MAX_SUGGESTION_BYTES = 16 * 1024
THANKS = "Thank you! Your question is with our editors."


def _suggest_limit() -> str:
    return current_app.config.get("SUGGEST_RATE_LIMIT", "5 per hour; 20 per day")


@bp.route("/suggest", methods=["GET", "POST"])
@limiter.limit(_suggest_limit, methods=["POST"])
def suggest():
    if (request.content_length or 0) > MAX_SUGGESTION_BYTES:
        abort(413)
    form = SuggestionForm()
    if form.validate_on_submit():
        if not form.website.data:
            suggestions.submit(db.session, topic=form.topic.data, details=form.details.data or "",
                               email=form.email.data or "")
            db.session.commit()
        # a robot that filled the hidden field hears the same thanks, and nothing is kept
        flash(THANKS)
        return redirect(url_for("suggestions.suggest"))
    return render_template("suggestions/suggest.html", form=form), 400 if form.errors else 200


@bp.get("/editor/suggestions")
@editor_required
def index():
    page = suggestions.newest_first(db.session, request.args.get("page", 1, type=int))
    return render_template("suggestions/index.html", page=page)


@bp.post("/editor/suggestions/<int:suggestion_id>/decide")
@editor_required
def decide(suggestion_id: int):
    suggestion = suggestions.get(db.session, suggestion_id)
    form = SuggestionDecisionForm()
    if not form.validate_on_submit():
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
        return redirect(url_for("suggestions.index"))
    try:
        suggestions.move(db.session, suggestion, form.state.data, current_user)
    except Conflict as problem:
        db.session.rollback()
        flash(problem.message, "error")
        return redirect(url_for("suggestions.index"))
    db.session.commit()
    flash(f"“{suggestion.topic}” is marked {suggestion.state}.")
    return redirect(url_for("suggestions.index"))
