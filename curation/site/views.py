from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from curation import db
from curation.security import editor_required
from curation.site import services as site_settings
from curation.site.forms import SettingsForm

bp = Blueprint("site", __name__)


@bp.route("/editor/settings", methods=["GET", "POST"])
@editor_required
def settings():
    form = SettingsForm()
    if form.validate_on_submit():
        values = {name: site_settings.stored_value(field.data) for name, field in form._fields.items()
                  if name in site_settings.DEFAULTS}
        site_settings.save(db.session, values, current_user)
        db.session.commit()
        flash("Settings saved. They apply to features published from now on.")
        return redirect(url_for("site.settings"))
    if not form.is_submitted():
        form.process(data=site_settings.load(db.session))
    return render_template("site/settings.html", form=form), 400 if form.errors else 200
