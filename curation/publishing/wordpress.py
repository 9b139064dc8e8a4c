"""The feature as a post on the practice's WordPress site, through its REST API
with an Application Password.

Only the publishing job calls this (`curation.publishing.jobs`), after the
publish committed: WordPress being slow, down or refusing never fails or
delays a publish. Each run brings the post in line with what is public now:
the current version's fragment and cards, or a draft once unpublished.
"""
from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, Any, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from curation.models import Challenge, Publication, QuoteCard, WordPressPost
from curation.publishing import cards

if TYPE_CHECKING:
    import requests
from curation.publishing.compiling import feature_data

TIMEOUT = 20  # seconds per call; the job is retried later when WordPress is slow
STATUSES = ("draft", "publish")
# WordPress prints the post's title itself.
_OWN_TITLE = re.compile(r"<h1\b[^>]*>.*?</h1>\s*", re.DOTALL)


class WordPressProblem(Exception):
    """What went wrong, said plainly enough for the publish page."""


@dataclasses.dataclass(frozen=True)
class Settings:
    url: str
    user: str
    app_password: str
    status: str = "draft"

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Settings | None:
        """None unless the address, user and application password are all set."""
        url, user, password = (config.get(k) or "" for k in ("WORDPRESS_URL", "WORDPRESS_USER", "WORDPRESS_APP_PASSWORD"))
        if not (url and user and password):
            return None
        status = str(config.get("WORDPRESS_STATUS") or "draft").strip().lower()
        return cls(str(url).rstrip("/"), str(user), str(password), status if status in STATUSES else "draft")


class Client:
    def __init__(self, settings: Settings):
        # requests (and urllib3 beneath it) only when WordPress is called: every
        # cron command starts the app, and most never talk to WordPress
        import requests

        self.settings = settings
        self.http = requests.Session()
        # Application Passwords are shown with spaces; WordPress accepts them either way.
        self.http.auth = (settings.user, settings.app_password)

    def call(self, method: str, route: str, **kw) -> Any:
        import requests

        url = f"{self.settings.url}/wp-json/wp/v2/{route}"
        try:
            response = self.http.request(method, url, timeout=TIMEOUT, **kw)
        except requests.Timeout:
            raise WordPressProblem(f"WordPress at {self.settings.url} did not answer within {TIMEOUT} seconds.") from None
        except requests.ConnectionError:
            raise WordPressProblem(f"Nothing answered at {self.settings.url}: is WordPress running there?") from None
        if response.status_code in (401, 403):
            raise WordPressProblem(
                f"WordPress refused the user “{self.settings.user}” ({response.status_code}: "
                f"{_message(response)}). Check the user name and the Application Password, and that the "
                "user may write and upload posts (Author or above)."
            )
        if response.status_code == 404 and "rest_no_route" in response.text:
            raise WordPressProblem(f"{self.settings.url} has no WordPress REST API at /wp-json/.")
        if response.status_code >= 400:
            raise WordPressProblem(f"WordPress answered {response.status_code}: {_message(response)}")
        try:
            return response.json()
        except ValueError:
            raise WordPressProblem(
                f"{self.settings.url} answered, but not as WordPress does (no JSON from /wp-json/)."
            ) from None


def _message(response: requests.Response) -> str:
    try:
        return str(response.json().get("message") or response.reason)
    except (ValueError, AttributeError):
        return response.reason or "no reason given"


def check_connection(settings: Settings) -> str:
    """Who WordPress says we are, or WordPressProblem saying plainly what is wrong."""
    me = Client(settings).call("GET", "users/me", params={"context": "edit"})
    roles = ", ".join(me.get("roles") or []) or "no role"
    if "upload_files" in (me.get("capabilities") or {}) or "publish_posts" in (me.get("capabilities") or {}):
        return f"Connected to {settings.url} as {me.get('name')} ({roles})."
    raise WordPressProblem(
        f"Connected as {me.get('name')} ({roles}), but this user may not publish posts and upload images: "
        "give them the Author role or above."
    )


def post_content(publication: Publication) -> str:
    return _OWN_TITLE.sub("", publication.fragment, count=1)


def featured_card_number(publication: Publication) -> int:
    """Which image leads the post: the 1200×630 link preview, made for it."""
    return cards.SHARE_IMAGE_NUMBER


def sync_challenge(session: Session, challenge_id: int, settings: Settings) -> None:
    from curation.publishing import jobs
    from curation.publishing.services import current_publication_of

    challenge = session.get(Challenge, challenge_id)
    if challenge is None:
        return
    client = Client(settings)
    post = session.get(WordPressPost, challenge_id)
    current = current_publication_of(session, challenge)
    if current is None:
        if post is not None and post.publication_id is not None:
            client.call("POST", f"posts/{post.post_id}", json={"status": "draft"})
            post.publication_id = None
        return
    if post is not None and post.publication_id == current.id:
        return  # already sent (a job run twice)
    jobs.draw_missing_cards(session, current)
    fields = {
        "title": current.title,
        "content": post_content(current),
        "excerpt": current.summary,
        "status": settings.status,
        "slug": current.slug,
    }
    if post is None:
        made = _existing_post(client, current.slug) or client.call("POST", "posts", json=fields)
        post = WordPressPost(challenge_id=challenge_id, post_id=made["id"], link=made.get("link", ""))
        session.add(post)
        # Kept at once: a crash from here on updates this post instead of making another.
        session.commit()
    featured = _upload_cards(client, session, current, post.post_id)
    made = client.call("POST", f"posts/{post.post_id}", json={**fields, "featured_media": featured})
    post.link = made.get("link", post.link)
    post.publication_id = current.id


def _existing_post(client: Client, slug: str) -> dict | None:
    found = client.call("GET", "posts", params={"slug": slug, "status": "draft,publish,pending,private", "context": "edit"})
    return found[0] if found else None


def _upload_cards(client: Client, session: Session, publication: Publication, post_id: int) -> int:
    data = feature_data(publication)
    credits = {q["number"]: q["credit_line"] for q in data["quotes"]}
    featured = featured_card_number(publication)
    featured_id = 0
    stored = session.scalars(
        select(QuoteCard).where(QuoteCard.publication_id == publication.id).order_by(QuoteCard.number)
    )
    for card in stored:
        if card.number == cards.SHARE_IMAGE_NUMBER:
            alt = f"“{data['title']}”, {data.get('series_name', '')} by {data.get('practice_name', '')}"
        else:
            alt = f"Quote {card.number} of “{data['title']}”, {credits.get(card.number) or 'anonymous'}"
        media = client.call(
            "POST",
            "media",
            params={"post": post_id, "alt_text": alt, "title": f"{data['title']} — quote {card.number}"},
            data=card.png,
            headers={
                "Content-Type": "image/png",
                "Content-Disposition": f'attachment; filename="{publication.slug}-v{publication.version}-quote-{card.number}.png"',
            },
        )
        if card.number == featured:
            featured_id = media["id"]
    return featured_id
