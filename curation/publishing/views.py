from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from curation import db
from curation.challenges import services as challenges
from curation.errors import Conflict, Invalid
from curation.mail import services as mail
from curation.publishing import compiling, editor_bar
from curation.publishing import feed as atom
from curation.publishing import public as public_reads
from curation.publishing import services as publishing
from curation.review import services as review
from curation.security import content_security_policy, editor_required
from curation.site import services as site_settings
from curation.templating import external_url

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
        placeholders=site_settings.placeholders_left(site_settings.load(db.session)),
    )
    return editor_bar.around(publishing.preview(db.session, challenge), bar)


@bp.get("/challenges/<int:challenge_id>/publish")
@editor_required
def publish_page(challenge_id: int):
    challenge = challenges.get(db.session, challenge_id)
    quotes = review.approved_in_order(db.session, challenge)
    versions = publishing.versions_of(db.session, challenge)
    current = next((v for v in versions if v.is_public), None)
    return render_template(
        "publishing/publish.html",
        challenge=challenge,
        quotes=quotes,
        waiting=compiling.pending_consent(quotes),
        versions=versions,
        current=current,
        card_numbers=publishing.card_numbers(db.session, current) if current else [],
        latest_version=versions[0].version if versions else 0,
        placeholders=site_settings.placeholders_left(site_settings.load(db.session)),
        correction=publishing.correction_owed(db.session, challenge),
        preview_exports=None if current else publishing.preview_exports(db.session, challenge),
    )


@bp.post("/challenges/<int:challenge_id>/publish")
@editor_required
def publish(challenge_id: int):
    challenge = challenges.get(db.session, challenge_id)
    version_seen = request.form.get("version_seen", type=int)
    try:
        if request.form.get("confirm") != "yes":
            return _confirmation(challenge)
        publication = publishing.publish(db.session, challenge, current_user, version_seen=version_seen)
    except (Conflict, Invalid) as problem:
        db.session.rollback()
        flash(problem.message, "error")
        return redirect(url_for("publishing.publish_page", challenge_id=challenge_id))
    mailed = mail.queue_feature_published(db.session, publication)
    db.session.commit()
    flash(_published_message(publication.version, mailed))
    return redirect(url_for("public.feature", slug=publication.slug))


def _confirmation(challenge):
    """Publishing asks first: how many quotes, and who will get a mail about it."""
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
        carried={k: v for k, v in request.form.items() if k not in ("csrf_token", "confirm")},
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
    return response.make_conditional(request)


@public.get("/")
def archive():
    return render_template("public/archive.html", features=public_reads.archive(db.session))


@public.get("/features/<slug>")
def feature(slug: str):
    page = public_reads.public_page(db.session, slug)
    if current_user.is_authenticated and current_user.is_editor:
        return _with_editor_bar(slug, page)
    return _stored(page.html, "text/html", page.etag, frame_policy=_frame_policy(page.frame_ancestors))


def _with_editor_bar(slug: str, page: public_reads.PublicPage) -> Response:
    """The public page as readers see it, with the editor's messages and a way
    back around it: made for this editor only, never stored, never cached."""
    challenge = public_reads.challenge_of(db.session, slug)
    bar = render_template("publishing/_editor_bar.html", challenge=challenge, preview=False)
    response = Response(editor_bar.around(page.html, bar), mimetype="text/html")
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
    card = public_reads.public_card(db.session, slug, number)
    return _stored(card.png, "image/png", card.etag)


@public.get("/feed.atom")
def feed():
    entries = atom.feed_entries(db.session)
    body = render_template(
        "public/feed.xml",
        entries=entries,
        updated=max((e["updated"] for e in entries), default=None),
        feed_url=external_url("public.feed"),
        archive_url=external_url("public.archive"),
    )
    return Response(body, mimetype="application/atom+xml")
