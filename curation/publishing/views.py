from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from curation import db
from curation.accounts import services as accounts
from curation.challenges import services as challenges
from curation.errors import Conflict, Invalid
from curation.mail import services as mail
from curation.models import JobKind
from curation.practice import services as practice_settings
from curation.privacy import services as privacy
from curation.publishing import compiling, compressed, corrections, editor_bar, jobs, scheduling, wordpress
from curation.publishing import feed as atom
from curation.publishing import public as public_reads
from curation.publishing import services as publishing
from curation.publishing.forms import ScheduleForm
from curation.review import services as review
from curation.security import content_security_policy, editor_required
from curation.templating import local_time
from curation.urls import external_url

bp = Blueprint("publishing", __name__, url_prefix="/editor")
public = Blueprint("public", __name__)


@bp.get("/challenges/<int:challenge_id>/preview")
@editor_required
def preview(challenge_id: int):
    challenge = challenges.get(db.session, challenge_id)
    bar = render_template(
        "publishing/_editor_bar.html",
        challenge=challenge,
        preview=True,
        placeholders=practice_settings.placeholders_left(practice_settings.load(db.session)),
    )
    return editor_bar.around(publishing.preview(db.session, challenge), bar)


@bp.get("/challenges/<int:challenge_id>/publish")
@editor_required
def publish_page(challenge_id: int):
    challenge = challenges.get(db.session, challenge_id)
    return _publish_page(challenge, ScheduleForm(formdata=None))


def _publish_page(challenge, schedule_form: ScheduleForm):
    quotes = review.approved_in_order(db.session, challenge)
    versions = publishing.versions_of(db.session, challenge)
    current = next((v for v in versions if v.is_public), None)
    return render_template(
        "publishing/publish.html",
        challenge=challenge,
        quotes=quotes,
        waiting=compiling.pending_consent(quotes),
        privacy=privacy.publish_summary(db.session, challenge, quotes),
        versions=versions,
        version_changes=corrections.version_changes(versions),
        current=current,
        card_numbers=publishing.card_numbers(db.session, current) if current else [],
        cardless=publishing.card_problems(db.session, challenge),
        latest_version=versions[0].version if versions else 0,
        after=jobs.after_publish_state(db.session, challenge),
        schedule_form=schedule_form,
        placeholders=practice_settings.placeholders_left(practice_settings.load(db.session)),
        correction=publishing.correction_owed(db.session, challenge),
        preview_exports=None if current else publishing.preview_exports(db.session, challenge),
    )


@bp.post("/challenges/<int:challenge_id>/publish")
@editor_required
def publish(challenge_id: int):
    challenge = challenges.get(db.session, challenge_id)
    form = ScheduleForm()
    if not form.validate():
        form.publish_at.errors = ["Type the day and time as YYYY-MM-DDTHH:MM, e.g. 2027-01-15T09:00."]
        return _publish_page(challenge, form), 400
    if form.publish_at.data is not None:
        return _schedule(challenge, form)
    version_seen = request.form.get("version_seen", type=int)
    try:
        publication = publishing.publish(db.session, challenge, current_user, version_seen=version_seen)
    except (Conflict, Invalid) as problem:
        db.session.rollback()
        flash(problem.message, "error")
        return redirect(url_for("publishing.publish_page", challenge_id=challenge_id))
    mailed = mail.queue_feature_published(db.session, publication)
    db.session.commit()
    flash(_published_message(publication.version, mailed))
    return redirect(url_for("public.feature", slug=publication.slug))


def _schedule(challenge, form: ScheduleForm):
    when = form.publish_at_utc()
    assert when is not None  # the caller saw a publish_at
    try:
        scheduling.schedule(db.session, challenge, current_user, when)
    except Invalid as problem:
        db.session.rollback()
        form.publish_at.errors = [problem.message]
        return _publish_page(challenge, form), 400
    except Conflict as problem:
        db.session.rollback()
        flash(problem.message, "error")
        return redirect(url_for("publishing.publish_page", challenge_id=challenge.id))
    db.session.commit()
    flash(f"Scheduled for {local_time(when)}. Consent is checked again at that moment.")
    return redirect(url_for("publishing.publish_page", challenge_id=challenge.id))


@bp.post("/challenges/<int:challenge_id>/unschedule")
@editor_required
def unschedule(challenge_id: int):
    challenge = challenges.get(db.session, challenge_id)
    try:
        scheduling.unschedule(db.session, challenge, current_user)
    except Conflict as problem:
        flash(problem.message, "error")
        return redirect(url_for("publishing.publish_page", challenge_id=challenge_id))
    db.session.commit()
    flash("No longer scheduled.")
    return redirect(url_for("publishing.publish_page", challenge_id=challenge_id))


@bp.get("/challenges/<int:challenge_id>/publish/progress.json")
@editor_required
def progress(challenge_id: int):
    challenge = challenges.get(db.session, challenge_id)
    response = jsonify(jobs.after_publish_state(db.session, challenge))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/challenges/<int:challenge_id>/wordpress/retry")
@editor_required
def retry_wordpress(challenge_id: int):
    challenge = challenges.get(db.session, challenge_id)
    if jobs.retry_now(db.session, challenge, JobKind.WORDPRESS):
        db.session.commit()
        flash("The copy goes to WordPress again now.")
    else:
        flash("Nothing waits to go to WordPress.")
    return redirect(url_for("publishing.publish_page", challenge_id=challenge_id))


@bp.get("/wordpress")
@editor_required
def wordpress_settings():
    return render_template("publishing/wordpress.html", settings=wordpress.Settings.from_config(current_app.config))


@bp.post("/wordpress/check")
@editor_required
def check_wordpress():
    settings = wordpress.Settings.from_config(current_app.config)
    if settings is None:
        flash("WordPress is not set up: set CURATION_WORDPRESS_URL, _USER and _APP_PASSWORD.", "error")
    else:
        try:
            flash(wordpress.check_connection(settings))
        except wordpress.WordPressProblem as problem:
            flash(str(problem), "error")
    return redirect(url_for("publishing.wordpress_settings"))
@bp.get("/challenges/<int:challenge_id>/publish/confirm")
@editor_required
def confirm_publish(challenge_id: int):
    """The Publish… button asks first: how many quotes, and who will get a mail
    about it. Its form posts to the publish route, which publishes at once."""
    challenge = challenges.get(db.session, challenge_id)
    try:
        return _confirmation(challenge)
    except (Conflict, Invalid) as problem:
        flash(problem.message, "error")
        return redirect(url_for("publishing.publish_page", challenge_id=challenge_id))


def _confirmation(challenge):
    plan = publishing.plan(db.session, challenge)
    notices = mail.feature_notices(
        db.session, plan.data, compiling.feature_data(plan.previous) if plan.previous else None
    )
    return render_template(
        "publishing/confirm.html",
        challenge=challenge,
        plan=plan,
        mailed=[n for n in notices if n.will_be_sent],
        not_mailed=[n for n in notices if not n.will_be_sent],
        # what the publish form sent (the version seen, a schedule) goes through unchanged
        carried={k: v for k, v in request.args.items() if k not in ("csrf_token", "confirm")},
    )


def _published_message(version: int, mailed: int) -> str:
    what = "Published" if version == 1 else f"Correction published as version {version}"
    people = "nobody needed an e-mail" if not mailed else f"{mailed} therapist{'' if mailed == 1 else 's'} will get an e-mail"
    return f"{what}: this is the public page, as readers see it. {people[0].upper()}{people[1:]}."


@bp.post("/challenges/<int:challenge_id>/unpublish")
@editor_required
def unpublish(challenge_id: int):
    challenge = challenges.get(db.session, challenge_id)
    publishing.unpublish(db.session, challenge, current_user)
    db.session.commit()
    flash("The feature is no longer public. Its versions stay on record.")
    return redirect(url_for("publishing.publish_page", challenge_id=challenge_id))


@bp.get("/challenges/<int:challenge_id>/versions/<int:version>")
@editor_required
def version(challenge_id: int, version: int):
    challenge = challenges.get(db.session, challenge_id)
    return publishing.get_version(db.session, challenge, version).html


def _frame_policy(allowed: str) -> str:
    allowed = allowed.strip()
    return content_security_policy(f"'self' {allowed}" if allowed else "'none'")


def _stored(body: str | bytes, mimetype: str, etag: str, *, frame_policy: str | None = None) -> Response:
    response = Response(body, mimetype=mimetype)
    response.set_etag(etag)
    response.headers["Cache-Control"] = "public, max-age=60"
    if frame_policy:
        response.headers["Content-Security-Policy"] = frame_policy
    response.make_conditional(request)
    return response


@public.get("/")
def archive():
    features = public_reads.archive(db.session)
    # A new installation's home page offers to create the first editor.
    needs_setup = not features and not accounts.has_users(db.session)
    return render_template(
        "public/archive.html",
        features=features,
        needs_setup=needs_setup,
        series_name=practice_settings.load(db.session)["series_name"],
    )


@public.get("/robots.txt")
def robots():
    # The editor's and therapists' screens ask for a login anyway; crawlers need not try them.
    lines = ["User-agent: *", "Disallow: /editor/", "Disallow: /auth/", "Disallow: /challenges/", "Disallow: /my/",
             "Allow: /", f"Sitemap: {external_url('public.feed')}", ""]
    return Response("\n".join(lines), mimetype="text/plain")


@public.get("/features/<slug>")
def feature(slug: str):
    if current_user.is_authenticated and current_user.is_editor:
        return _with_editor_bar(slug, public_reads.public_page(db.session, slug))
    encoding = compressed.best(request.headers.get("Accept-Encoding", ""), has_brotli=True, has_gzip=True)
    page = public_reads.public_page(db.session, slug, encoding)
    response = _stored(page.body, "text/html", page.etag, frame_policy=_frame_policy(page.frame_ancestors))
    if page.encoding:
        response.headers["Content-Encoding"] = page.encoding
    response.vary.add("Accept-Encoding")
    # an editor's copy of this address differs (the editor bar): a shared cache
    # must not hand the readers' copy to an editor who is logged in
    response.vary.add("Cookie")
    return response


def _with_editor_bar(slug: str, page: public_reads.PublicPage) -> Response:
    """The public page as readers see it, with the editor's messages and a way
    back around it: made for this editor only, never stored, never cached."""
    challenge = public_reads.challenge_of(db.session, slug)
    bar = render_template("publishing/_editor_bar.html", challenge=challenge, preview=False)
    response = Response(editor_bar.around(str(page.body), bar), mimetype="text/html")
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = _frame_policy(page.frame_ancestors)
    return response


@public.get("/features/<slug>.md")
def feature_markdown(slug: str):
    publication = public_reads.public_publication(db.session, slug)
    return _stored(publication.markdown, "text/markdown", publication.etag + "-md")


@public.get("/features/<slug>/fragment.html")
def feature_fragment(slug: str):
    publication = public_reads.public_publication(db.session, slug)
    return _stored(publication.fragment, "text/html", publication.etag + "-fragment")


@public.get("/features/<slug>/quotes/<int:number>.png")
def quote_card(slug: str, number: int):
    card = public_reads.public_quote_card(db.session, slug, number)
    return _stored(card.png, "image/png", card.etag)


@public.get("/features/<slug>/share.png")
def share_image(slug: str):
    image = public_reads.public_share_image(db.session, slug)
    return _stored(image.png, "image/png", image.etag)


@public.get("/feed.atom")
def feed():
    return Response(atom.render_feed(db.session), mimetype="application/atom+xml")
