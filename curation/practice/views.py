from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from curation import db
from curation.practice import services as practice_settings
from curation.practice.forms import SettingsForm
from curation.security import editor_required

bp = Blueprint("practice", __name__)


@bp.route("/editor/settings", methods=["GET", "POST"])
@editor_required
def settings():
    form = SettingsForm()
    if form.validate_on_submit():
        values = {name: practice_settings.stored_value(field.data) for name, field in form._fields.items()
                  if name in practice_settings.DEFAULTS}
        practice_settings.save(db.session, values, current_user)
        db.session.commit()
        flash("Settings saved. They apply to features published from now on.")
        return redirect(url_for("practice.settings"))
    if not form.is_submitted():
        form.process(data=practice_settings.load(db.session))
    return render_template("practice/settings.html", form=form), 400 if form.errors else 200
