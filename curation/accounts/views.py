from __future__ import annotations

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from curation import db
from curation.accounts import rescue
from curation.accounts import services as accounts
from curation.accounts.forms import (
    AcceptInvitationForm,
    ChangePasswordForm,
    FirstEditorForm,
    InviteForm,
    LoginForm,
)
from curation.errors import Invalid
from curation.extensions import limiter, login_manager
from curation.mail import services as mail
from curation.models import Role, User
from curation.security import editor_required, is_safe_next

bp = Blueprint("accounts", __name__)


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please log in to continue."
    login_manager.session_protection = "basic"
    login_manager.user_loader(lambda cookie_id: accounts.load_session_user(db.session, cookie_id))
    login_manager.unauthorized_handler(rescue.unauthorized)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def home_for(user: User) -> str:
    return url_for("challenges.dashboard") if user.is_editor else url_for("answers.open_challenges")


@bp.route("/auth/login", methods=["GET", "POST"])
@db.reads_only
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if not accounts.has_users(db.session):
        return redirect(url_for("accounts.first_editor"))
    form = LoginForm()
    next_url = request.values.get("next")
    carried = rescue.carried_fields(request.form)
    if form.validate_on_submit():
        user = accounts.authenticate(db.session, form.email.data, form.password.data)
        if user is not None:
            login_user(user)
            target = next_url if is_safe_next(next_url) else home_for(user)
            if carried:
                return rescue.resend_page(target, carried, "You are logged in again. Nothing you wrote was lost.")
            return redirect(target)
        form.password.errors.append("That e-mail address and password do not match an active account.")
        return render_template("accounts/login.html", form=form, next=next_url, carried=carried), 401
    return render_template("accounts/login.html", form=form, next=next_url, carried=carried)


@bp.post("/auth/logout")
def logout():
    # A FlaskForm-less POST is still CSRF-checked by CSRFProtect before we get here.
    logout_user()
    flash("You are logged out.")
    return redirect(url_for("accounts.login"))


@bp.route("/auth/setup", methods=["GET", "POST"])
def first_editor():
    """On an empty database the site offers to create the first editor."""
    if accounts.has_users(db.session):
        abort(404)
    form = FirstEditorForm()
    if form.validate_on_submit():
        try:
            user = accounts.create_user(
                db.session,
                email=form.email.data,
                name=form.name.data,
                credentials=form.credentials.data,
                password=form.password.data,
                role=Role.EDITOR,
            )
        except Invalid as problem:
            form.password.errors.append(problem.message)
        else:
            db.session.commit()
            login_user(user)
            flash("Welcome! Your editor account is ready. Start by posting a challenge.")
            return redirect(url_for("challenges.dashboard"))
    return render_template("accounts/setup.html", form=form), 400 if form.errors else 200


@bp.route("/auth/invite/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def accept_invitation(token: str):
    invitation = accounts.usable_invitation(db.session, token)
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        try:
            user = accounts.accept_invitation(
                db.session,
                invitation,
                name=form.name.data,
                credentials=form.credentials.data,
                password=form.password.data,
            )
        except Invalid as problem:
            form.password.errors.append(problem.message)
        else:
            db.session.commit()
            logout_user()
            login_user(user)
            flash(f"Welcome, {user.first_name}! Your account is ready.")
            return redirect(home_for(user))
    return render_template("accounts/accept.html", form=form, invitation=invitation), 400 if form.errors else 200


@bp.route("/editor/people", methods=["GET", "POST"])
@editor_required
def people():
    form = InviteForm()
    invitation_url = None
    if form.validate_on_submit():
        try:
            invitation, token = accounts.invite(
                db.session, email=form.email.data, role=Role(form.role.data), invited_by=current_user
            )
        except Invalid as problem:
            form.email.errors.append(problem.message)
        else:
            invitation_url = url_for("accounts.accept_invitation", token=token, _external=True)
            mail.queue_invitation(db.session, invitation, invitation_url)
            db.session.commit()
            flash(f"Invitation made for {invitation.email}. It works once, for 14 days.")
            form = InviteForm(formdata=None)
    users, pending = accounts.people(db.session)
    status = 400 if form.errors else 200
    return render_template(
        "accounts/people.html", form=form, users=users, pending=pending, invitation_url=invitation_url
    ), status


@bp.post("/editor/people/<int:user_id>/deactivate")
@editor_required
def deactivate(user_id: int):
    return _set_deactivated(user_id, True)


@bp.post("/editor/people/<int:user_id>/reactivate")
@editor_required
def reactivate(user_id: int):
    return _set_deactivated(user_id, False)


@bp.post("/editor/people/<int:user_id>/role")
@editor_required
def change_role(user_id: int):
    user = accounts.get_user(db.session, user_id) or abort(404)
    role = request.form.get("role", "")
    if role not in {r.value for r in Role}:
        raise Invalid("Choose editor or therapist.")
    accounts.set_role(db.session, user, Role(role), actor=current_user)
    db.session.commit()
    flash(f"{user.name} is now {'an editor' if user.is_editor else 'a therapist'}.")
    return redirect(url_for("accounts.people"))


def _set_deactivated(user_id: int, deactivated: bool):
    user = accounts.get_user(db.session, user_id) or abort(404)
    accounts.set_deactivated(db.session, user, deactivated, actor=current_user)
    db.session.commit()
    flash(f"{user.name} is {'deactivated and logged out everywhere' if deactivated else 'active again'}.")
    return redirect(url_for("accounts.people"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(db.session, current_user, form.current_password.data, form.password.data)
        except Invalid as problem:
            form.password.errors.append(problem.message)
        else:
            db.session.commit()
            login_user(current_user)  # the new session version, so this device stays in
            flash("Your password is changed. Other devices have been logged out.")
            return redirect(url_for("accounts.account"))
    return render_template("accounts/account.html", form=form), 400 if form.errors else 200
