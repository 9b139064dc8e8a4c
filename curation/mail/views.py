"""The mail pages: the editors' outbox and each person's mail preferences."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from curation import db
from curation.mail import services as mail
from curation.mail.forms import NotificationsForm
from curation.security import editor_required

bp = Blueprint("mail", __name__)


@bp.get("/editor/outbox")
@editor_required
def outbox():
    page = max(1, request.args.get("page", 1, type=int))
    mails, total = mail.outbox_page(db.session, page)
    return render_template("mail/pages/outbox.html", mails=mails, total=total, page=page, per_page=50)


@bp.route("/my/settings", methods=["GET", "POST"])
@login_required
def notifications():
    form = NotificationsForm(data={"wants_notifications": current_user.wants_notifications})
    if form.validate_on_submit():
        mail.set_notifications(db.session, current_user, form.wants_notifications.data)
        db.session.commit()
        flash("Your mail preferences are saved.")
        return redirect(url_for("mail.notifications"))
    return render_template("mail/pages/notifications.html", form=form)
