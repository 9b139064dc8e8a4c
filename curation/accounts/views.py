from __future__ import annotations

import datetime as dt
import json
import math

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
from flask import session as cookie
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm as ButtonForm

from curation import db, rescue, urls
from curation.accounts import erasure, personal_data, two_step
from curation.accounts import services as accounts
from curation.accounts import sessions as login_sessions
from curation.accounts.forms import (
    AcceptInvitationForm,
    ChangePasswordForm,
    FirstEditorForm,
    InviteForm,
    LoginForm,
    PersonForm,
    ProfileForm,
    ResetPasswordForm,
    ResetRequestForm,
    TwoStepCodeForm,
    erase_form,
)
from curation.db import utcnow
from curation.errors import Conflict, Invalid, show_beside_field
from curation.extensions import limiter, login_manager
from curation.mail import services as mail
from curation.models import Role, TokenPurpose, User
from curation.security import editor_required, is_safe_next
from curation.templating import local_time

bp = Blueprint("accounts", __name__)


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please log in to continue."
    login_manager.session_protection = "basic"
    login_manager.user_loader(_load_user)
    login_manager.unauthorized_handler(rescue.unauthorized)
    app.extensions["curation.login_form"] = LoginForm
    app.config.setdefault("SESSION_IDLE_DAYS", 14)
    app.config["PERMANENT_SESSION_LIFETIME"] = _idle_lifetime(app)
    app.config.setdefault("REQUIRE_TWO_STEP_FOR_EDITORS", False)


# The signed cookie's key for the server-side session's token.
SESSION_KEY = "login_session"


def _idle_lifetime(app: Flask) -> dt.timedelta:
    return dt.timedelta(days=float(app.config["SESSION_IDLE_DAYS"]))


def _load_user(cookie_id: str) -> User | None:
    """Who the cookie names, only while the session it names is alive on the server."""
    token = cookie.get(SESSION_KEY)
    if not token:
        return None
    user = accounts.load_session_user(db.session, cookie_id)
    if user is None:
        return None
    record = login_sessions.live(db.session, user.id, token, _idle_lifetime(current_app))
    if record is None:
        return None
    if login_sessions.needs_touch(record):
        _touch(record.id)
    return user


def _touch(session_id: int) -> None:
    if request.method in ("GET", "HEAD"):
        # A page view does not commit; a short transaction of its own keeps the
        # session alive. A write request holds the write lock already (SQLite):
        # its own transaction carries the touch and commits with the view.
        with db.new_session(writes=True) as own:
            login_sessions.touch(own, session_id)
            own.commit()
    else:
        login_sessions.touch(db.session, session_id)


def sign_in(user: User) -> None:
    """A new server-side session for this browser, then Flask-Login's cookie."""
    token = login_sessions.start(db.session, user)
    db.session.commit()
    cookie[SESSION_KEY] = token
    cookie.permanent = True  # kept for SESSION_IDLE_DAYS, renewed on each visit
    login_user(user)


def sign_out() -> None:
    token = cookie.pop(SESSION_KEY, None)
    if token:
        login_sessions.end(db.session, token)
        db.session.commit()
    logout_user()


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def home_for(user: User) -> str:
    return url_for("challenges.dashboard") if user.is_editor else url_for("answers.open_challenges")


@bp.route("/auth/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if not accounts.has_users(db.session):
        return redirect(url_for("accounts.first_editor"))
    form = LoginForm()
    next_url = request.values.get("next")
    carried = rescue.carried_fields(request.form)
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(db.session, form.email.data, form.password.data)
        except accounts.AccountLocked as locked:
            form.password.errors.append(_locked_message(locked.until))
            return render_template("accounts/login.html", form=form, next=next_url, carried=carried), 429
        db.session.commit()  # the count of wrong passwords, or its reset
        if user is not None and user.has_two_step:
            # The password was right; the session starts only after the code.
            cookie[TWO_STEP_KEY] = {"user": user.id, "version": user.session_version, "at": utcnow().timestamp()}
            return redirect(url_for("accounts.two_step_login", next=next_url) if next_url else url_for("accounts.two_step_login"))
        if user is not None:
            sign_in(user)
            target = next_url if is_safe_next(next_url) else home_for(user)
            if carried:
                return rescue.resend_page(target, carried, "You are logged in again. Nothing you wrote was lost.")
            return redirect(target)
        form.password.errors.append("That e-mail address and password do not match an active account.")
        return render_template("accounts/login.html", form=form, next=next_url, carried=carried), 401
    return render_template("accounts/login.html", form=form, next=next_url, carried=carried)


def _locked_message(until: dt.datetime) -> str:
    minutes = max(1, math.ceil((until - dt.datetime.now(dt.timezone.utc)).total_seconds() / 60))
    return (
        f"After too many wrong passwords this account is locked until {local_time(until, '%H:%M')} "
        f"(in about {minutes} minute{'s' if minutes != 1 else ''}). Please try again then, "
        "or choose a new password with “Forgot your password?”."
    )


@bp.post("/auth/logout")
def logout():
    # A FlaskForm-less POST is still CSRF-checked by CSRFProtect before we get here.
    sign_out()
    flash("You are logged out.")
    return redirect(url_for("accounts.login"))


@bp.route("/auth/setup", methods=["GET", "POST"])
def first_editor():
    """On an empty database the site offers to create the first editor."""
    if accounts.has_users(db.session):
        abort(404)
    form = FirstEditorForm()
    # the address the editor used, to confirm; CURATION_BASE_URL, when set, wins
    asks_address = not current_app.config.get("BASE_URL")
    if not form.is_submitted():
        form.base_url.data = request.url_root.rstrip("/")
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
            if asks_address:
                urls.record_base_url(db.session, form.base_url.data or request.url_root)
        except Invalid as problem:
            show_beside_field(form, problem, "password")
        else:
            db.session.commit()
            sign_in(user)
            flash("Welcome! Your editor account is ready. Start by posting a challenge.")
            return redirect(url_for("challenges.dashboard"))
    return render_template("accounts/setup.html", form=form, asks_address=asks_address), 400 if form.errors else 200


@bp.route("/auth/invite/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def accept_invitation(token: str):
    invitation = accounts.find_invitation(db.session, token)
    problem = accounts.invitation_problem(invitation)
    if problem or invitation is None:
        return _spent_link(problem or "", invitation)
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
        except Invalid as refusal:
            show_beside_field(form, refusal, "password")
        else:
            db.session.commit()
            sign_out()
            sign_in(user)
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
            show_beside_field(form, problem, "email")
        else:
            invitation_url = urls.external_url("accounts.accept_invitation", token=token)
            mail.queue_invitation(db.session, invitation, invitation_url)
            db.session.commit()
            flash(f"Invitation made for {invitation.email}. It works once, for 14 days.")
            form = InviteForm(formdata=None)
    return _people_page(form, invitation_url), 400 if form.errors else 200


def _people_page(form: InviteForm, invitation_url: str | None = None) -> str:
    users, invitations = accounts.people(db.session)
    now = utcnow()
    rows = [
        (invitation, accounts.invitation_state(invitation, now),
         [action for action in accounts.INVITATION_MOVES if accounts.can(invitation, action, now)])
        for invitation in invitations
    ]
    return render_template(
        "accounts/people.html", form=form, users=users, invitations=rows, invitation_url=invitation_url
    )


@bp.post("/editor/invitations/<int:invitation_id>/<any(resend, renew, revoke):action>")
@editor_required
def invitation_action(invitation_id: int, action: str):
    invitation = accounts.get_invitation(db.session, invitation_id)
    token = accounts.move_invitation(db.session, invitation, action, current_user)
    invitation_url = None
    if token is not None:
        invitation_url = url_for("accounts.accept_invitation", token=token, _external=True)
        mail.queue_invitation(db.session, invitation, invitation_url)
    db.session.commit()
    if token is None:
        flash(f"The invitation for {invitation.email} is withdrawn; its link no longer works.")
        return redirect(url_for("accounts.people"))
    flash(f"A new link for {invitation.email} is made and mailed; the old one no longer works. "
          "It works once, for 14 days.")
    return _people_page(InviteForm(formdata=None), invitation_url)


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
    changing_password = "current_password" in request.form
    # Two forms on one page: the one that was sent reads the request, the other shows the profile.
    profile = ProfileForm(formdata=None, obj=current_user) if changing_password else ProfileForm(obj=current_user)
    password_form = ChangePasswordForm() if changing_password else ChangePasswordForm(formdata=None)
    if changing_password and password_form.validate_on_submit():
        try:
            accounts.change_password(
                db.session, current_user, password_form.current_password.data, password_form.password.data,
                keep_session=cookie.get(SESSION_KEY),
            )
        except Invalid as problem:
            show_beside_field(password_form, problem, "password")
        else:
            db.session.commit()
            # the user itself, not the proxy: a proxy stored as the user resolves to itself
            login_user(current_user._get_current_object())  # the new session version, so this device stays in
            flash("Your password is changed. Other devices have been logged out.")
            return redirect(url_for("accounts.account"))
    elif not changing_password and profile.validate_on_submit():
        saved = _save_profile(profile)
        if saved is not None:
            return saved
    status = 400 if profile.errors or password_form.errors else 200
    return _account_page(profile, password_form), status


def _save_profile(form: ProfileForm):
    try:
        accounts.update_profile(
            db.session, current_user, name=form.name.data, credentials=form.credentials.data,
            profile_url=form.profile_url.data or "", actor=current_user,
        )
        issued = accounts.request_email_change(
            db.session, current_user, form.email.data or current_user.email, requested_from=request.remote_addr or ""
        )
    except Invalid as problem:
        show_beside_field(form, problem, "name")
        return None
    if issued is not None:
        record, token = issued
        mail.queue_email_confirmation(db.session, record, url_for("accounts.confirm_email", token=token, _external=True))
    db.session.commit()
    flash("Your profile is saved. Published features keep the name they were published with; "
          "your new name appears in the next correction of each.")
    if issued is not None:
        flash(f"We sent a link to {issued[0].new_email}. Your new address is used once you confirm it there; "
              f"until then, log in with {current_user.email}.")
    return redirect(url_for("accounts.account"))


def _account_page(profile: ProfileForm, password_form: ChangePasswordForm) -> str:
    return render_template(
        "accounts/account.html",
        profile=profile,
        form=password_form,
        live_sessions=login_sessions.live_count(db.session, current_user, _idle_lifetime(current_app)),
        idle_days=current_app.config["SESSION_IDLE_DAYS"],
    )


@bp.route("/account/email/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def confirm_email(token: str):
    record = accounts.find_token(db.session, token, TokenPurpose.EMAIL_CHANGE)
    problem = accounts.token_problem(record)
    if problem or record is None:
        return _spent_link(problem or "", record)
    if request.method == "POST":
        user, _old = accounts.confirm_email_change(db.session, record)
        db.session.commit()
        flash(f"Your e-mail address is now {user.email}. Log in with it from now on.")
        return redirect(home_for(user) if current_user.is_authenticated else url_for("accounts.login"))
    return render_template("accounts/confirm_email.html", record=record, form=ButtonForm())


def _spent_link(message: str, record: object | None):
    """A used, expired or unknown link says so, and where to go instead."""
    return render_template("accounts/link_spent.html", message=message), 404 if record is None else 410


@bp.route("/auth/reset", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def request_reset():
    form = ResetRequestForm()
    if form.validate_on_submit():
        issued = accounts.request_password_reset(
            db.session, form.email.data, requested_from=request.remote_addr or ""
        )
        if issued is not None:
            record, token = issued
            mail.queue_password_reset(db.session, record, url_for("accounts.reset_password", token=token, _external=True))
        db.session.commit()
        # The same page whether or not the address has an account.
        return render_template("accounts/reset_sent.html", email=form.email.data)
    return render_template("accounts/reset_request.html", form=form), 400 if form.errors else 200


@bp.route("/auth/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def reset_password(token: str):
    record = accounts.find_token(db.session, token, TokenPurpose.PASSWORD_RESET)
    problem = accounts.token_problem(record)
    if problem or record is None:
        return _spent_link(problem or "", record)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = accounts.reset_password(db.session, record, form.password.data)
        except Invalid as refusal:
            show_beside_field(form, refusal, "password")
        else:
            db.session.commit()
            sign_out()
            if user.has_two_step:
                flash("Your password is changed and every session has ended. Log in with it and your code.")
                return redirect(url_for("accounts.login"))
            sign_in(user)
            flash("Your password is changed. Every other session of yours has ended.")
            return redirect(home_for(user))
    return render_template("accounts/reset_password.html", form=form, record=record), 400 if form.errors else 200


@bp.route("/editor/people/<int:user_id>/edit", methods=["GET", "POST"])
@editor_required
def edit_person(user_id: int):
    person = accounts.get_user(db.session, user_id) or abort(404)
    form = PersonForm(obj=person)
    if form.validate_on_submit():
        try:
            accounts.update_profile(
                db.session, person, name=form.name.data, credentials=form.credentials.data,
                profile_url=person.profile_url, actor=current_user,
            )
        except Invalid as problem:
            show_beside_field(form, problem, "name")
        else:
            db.session.commit()
            flash(f"Saved. Published features keep the name they were published with; "
                  f"“{person.name}” appears in the next correction of each.")
            return redirect(url_for("accounts.people"))
    return render_template("accounts/person.html", form=form, person=person), 400 if form.errors else 200


@bp.post("/account/logout-everywhere")
@login_required
def logout_everywhere():
    accounts.end_every_session(db.session, current_user)
    db.session.commit()
    sign_out()
    flash("You are logged out on every device, this one included.")
    return redirect(url_for("accounts.login"))


@bp.get("/my/data.json")
@login_required
def my_data():
    data = personal_data.collect(db.session, current_user, utcnow())
    response = current_app.response_class(
        json.dumps(data, ensure_ascii=False, indent=2), mimetype="application/json"
    )
    response.headers["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response


@bp.route("/editor/people/<int:user_id>/erase", methods=["GET", "POST"])
@editor_required
def erase_person(user_id: int):
    person = accounts.get_user(db.session, user_id)
    if person is None or person.erased_at is not None:
        abort(404)
    features = erasure.published_features(db.session, person)
    form = erase_form(features)
    if form.validate_on_submit():
        choices = {feature.id: form[f"feature_{feature.id}"].data for feature in features}
        try:
            counts = erasure.erase(db.session, person, choices=choices, editor=current_user)
        except (Invalid, Conflict) as problem:
            db.session.rollback()
            flash(problem.message, "error")
            return render_template("accounts/erase.html", person=person, features=features, form=form), problem.status
        else:
            db.session.commit()
            flash(f"Erased. {counts['corrected']} published feature(s) corrected: {counts['kept_anonymous']} "
                  f"quote(s) kept anonymously, {counts['removed']} answer(s) removed.")
            return redirect(url_for("accounts.people"))
    return render_template(
        "accounts/erase.html", person=person, features=features, form=form
    ), 400 if form.errors else 200


# --- two-step sign-in ------------------------------------------------------------------

TWO_STEP_KEY = "two_step_pending"
SETUP_KEY = "two_step_setup"
# How long the code may follow the password.
TWO_STEP_WINDOW = dt.timedelta(minutes=10)
_OPEN_WITHOUT_TWO_STEP = {"accounts.two_step_setup", "accounts.logout", "static", "health.healthz"}


@bp.before_app_request
def _send_editors_to_two_step_setup():
    """When the settings require it, an editor without two-step sign-in sets it up first."""
    if not current_app.config.get("REQUIRE_TWO_STEP_FOR_EDITORS"):
        return None
    endpoint = request.endpoint or ""
    if endpoint in _OPEN_WITHOUT_TWO_STEP or endpoint.startswith("public."):
        return None
    if current_user.is_authenticated and current_user.is_editor and not current_user.has_two_step:
        flash("This site asks every editor to use two-step sign-in. Please set it up now; it takes a minute.")
        return redirect(url_for("accounts.two_step_setup"))
    return None


def _pending_two_step() -> User | None:
    pending = cookie.get(TWO_STEP_KEY)
    if not isinstance(pending, dict):
        return None
    started = dt.datetime.fromtimestamp(float(pending.get("at", 0)), dt.timezone.utc)
    user = accounts.get_user(db.session, int(pending.get("user", 0)))
    if user is None or user.session_version != pending.get("version") or user.is_deactivated:
        return None
    return user if utcnow() - started < TWO_STEP_WINDOW and user.has_two_step else None


@bp.route("/auth/two-step", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def two_step_login():
    user = _pending_two_step()
    if user is None:
        cookie.pop(TWO_STEP_KEY, None)
        flash("Please log in with your password first.")
        return redirect(url_for("accounts.login"))
    form = TwoStepCodeForm()
    next_url = request.values.get("next")
    if form.validate_on_submit():
        try:
            accounts.check_lock(user)
        except accounts.AccountLocked as locked:
            form.code.errors.append(_locked_message(locked.until))
            return render_template("accounts/two_step_login.html", form=form, next=next_url), 429
        if two_step.check(db.session, user, form.code.data):
            accounts.reset_failures(db.session, user)
            db.session.commit()
            cookie.pop(TWO_STEP_KEY, None)
            sign_in(user)
            return redirect(next_url if is_safe_next(next_url) else home_for(user))
        accounts.count_failure(db.session, user)
        db.session.commit()
        form.code.errors.append("That code is not right. Use the code your app shows now, or a recovery code.")
        return render_template("accounts/two_step_login.html", form=form, next=next_url), 401
    return render_template("accounts/two_step_login.html", form=form, next=next_url), 400 if form.errors else 200


@bp.route("/account/two-step", methods=["GET", "POST"])
@editor_required
def two_step_setup():
    form = TwoStepCodeForm()
    if current_user.has_two_step:
        return render_template(
            "accounts/two_step_on.html", form=TwoStepCodeForm(formdata=None),
            remaining=two_step.remaining_codes(db.session, current_user),
            required=current_app.config["REQUIRE_TWO_STEP_FOR_EDITORS"],
        )
    secret = cookie.get(SETUP_KEY) or two_step.new_secret()
    cookie[SETUP_KEY] = secret  # until confirmed, the secret lives in the signed cookie only
    if form.validate_on_submit():
        try:
            codes = two_step.turn_on(db.session, current_user, secret, form.code.data)
        except Invalid as problem:
            show_beside_field(form, problem, "code")
        else:
            db.session.commit()
            cookie.pop(SETUP_KEY, None)
            return render_template("accounts/recovery_codes.html", codes=codes)
    uri = two_step.setup_uri(current_user, secret)
    return render_template(
        "accounts/two_step_setup.html", form=form, qr=two_step.qr_code(uri), secret=secret
    ), 400 if form.errors else 200


@bp.post("/account/two-step/off")
@editor_required
def two_step_off():
    form = TwoStepCodeForm()
    if form.validate_on_submit():
        try:
            two_step.turn_off(
                db.session, current_user, form.code.data, required=current_app.config["REQUIRE_TWO_STEP_FOR_EDITORS"]
            )
        except (Invalid, Conflict) as problem:
            db.session.rollback()
            flash(problem.message, "error")
        else:
            db.session.commit()
            flash("Two-step sign-in is off. Your password alone logs you in again.")
            return redirect(url_for("accounts.account"))
    return redirect(url_for("accounts.two_step_setup"))
