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
from curation.accounts import services as accounts
from curation.challenges import services as challenges
from curation.errors import Conflict, Invalid
from curation.mail import services as mail
from curation.privacy import services as privacy
from curation.publishing import compiling
from curation.publishing import feed as atom
from curation.publishing import public as public_reads
from curation.publishing import services as publishing
from curation.review import services as review
from curation.security import content_security_policy, editor_required
from curation.site import services as site_settings
from curation.text import printable
from curation.urls import external_url

bp = Blueprint("publishing", __name__, url_prefix="/editor")
public = Blueprint("public", __name__)


@bp.get("/challenges/<int:challenge_id>/preview")
@editor_required
def preview(challenge_id: int):
    challenge = challenges.get(db.session, challenge_id)
    return publishing.preview(db.session, challenge)


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
        privacy=privacy.publish_summary(db.session, challenge, quotes),
        versions=versions,
        current=current,
        card_numbers=publishing.card_numbers(db.session, current) if current else [],
        cardless=publishing.card_problems(db.session, challenge),
        latest_version=versions[0].version if versions else 0,
    )


@bp.post("/challenges/<int:challenge_id>/publish")
@editor_required
def publish(challenge_id: int):
    challenge = challenges.get(db.session, challenge_id)
    version_seen = request.form.get("version_seen", type=int)
    try:
        publication = publishing.publish(db.session, challenge, current_user, version_seen=version_seen)
    except (Conflict, Invalid) as problem:
        db.session.rollback()
        flash(problem.message, "error")
        return redirect(url_for("publishing.publish_page", challenge_id=challenge_id))
    mail.queue_feature_published(db.session, publication)
    db.session.commit()
    flash(f"Published as version {publication.version}.")
    return redirect(url_for("public.feature", slug=publication.slug))


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
    features = public_reads.archive(db.session)
    # A new installation's home page offers to create the first editor.
    needs_setup = not features and not accounts.has_users(db.session)
    return render_template(
        "public/archive.html",
        features=features,
        needs_setup=needs_setup,
        series_name=site_settings.load(db.session)["series_name"],
    )


@public.get("/robots.txt")
def robots():
    # The editor's and therapists' screens ask for a login anyway; crawlers need not try them.
    lines = ["User-agent: *", "Disallow: /editor/", "Disallow: /auth/", "Disallow: /challenges/", "Disallow: /my/",
             "Allow: /", f"Sitemap: {external_url('public.feed')}", ""]
    return Response("\n".join(lines), mimetype="text/plain")


@public.get("/features/<slug>")
def feature(slug: str):
    page = public_reads.public_page(db.session, slug)
    return _stored(page.html, "text/html", page.etag, frame_policy=_frame_policy(page.frame_ancestors))


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
    entries = atom.feed_entries(db.session)
    body = render_template(
        "public/feed.xml",
        entries=entries,
        updated=max((e["updated"] for e in entries), default=None),
        feed_url=external_url("public.feed"),
        archive_url=external_url("public.archive"),
    )
    # the last guard: whatever slipped into the data, the document stays XML
    return Response(printable(body), mimetype="application/atom+xml")
