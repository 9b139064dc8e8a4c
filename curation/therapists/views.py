from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from curation import db
from curation.security import therapist_required
from curation.therapists import services as therapists
from curation.therapists.forms import PublicPageForm

bp = Blueprint("therapists", __name__)


@bp.get("/therapists/<slug>")
def page(slug: str):
    therapist = therapists.get_public(db.session, slug)
    return render_template(
        "therapists/page.html", therapist=therapist, quotes=therapists.published_quotes(db.session, therapist)
    )


@bp.route("/account/public-page", methods=["GET", "POST"])
@therapist_required
def public_page():
    form = PublicPageForm(obj=current_user)
    if form.validate_on_submit():
        therapists.save_public_page(
            db.session, current_user, wanted=form.has_public_page.data, bio=form.bio.data or "",
            profile_url=form.profile_url.data or "",
        )
        db.session.commit()
        flash("Your public page is on." if current_user.has_public_page else "You have no public page.")
        return redirect(url_for("therapists.public_page"))
    return render_template("therapists/public_page.html", form=form), 400 if form.errors else 200
