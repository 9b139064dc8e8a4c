"""The feature copied to the practice's WordPress through its REST API, after
the publish committed: against a real WordPress (`wordpress` tests; .ci/run
starts one with .ci/wordpress.sh), and with WordPress away."""
from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from curation.models import (
    Answer,
    AnswerState,
    Challenge,
    ChallengeState,
    JobKind,
    PublicationJob,
    WordPressPost,
)
from curation.publishing import wordpress
from tests.conftest import WORDPRESS, Auth, csrf, fresh, run_jobs

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


def _ready(make, session, title: str):
    editor = make.editor()
    challenge = make.challenge(editor, title=title)
    make.approved(challenge, editor, make.therapist(name="Maya Okafor", credentials="RP"),
                  body="Rest is a kindness we owe ourselves.\n\nEven on busy days.")
    make.approved(challenge, editor, body="Rest is a door left open.", credit="anonymous")
    challenge.state = ChallengeState.CLOSED
    session.commit()
    return editor, challenge


def _post(client, challenge_id: int, action: str, **data):
    page = f"/editor/challenges/{challenge_id}/publish"
    return client.post(f"/editor/challenges/{challenge_id}/{action}", data={"csrf_token": csrf(client, page), **data})


class WordPressSite:
    """Reads what WordPress holds, as the same Author user, and cleans up after."""

    def __init__(self):
        self.url = WORDPRESS["WORDPRESS_URL"].rstrip("/")
        self.http = requests.Session()
        self.http.auth = (WORDPRESS["WORDPRESS_USER"], WORDPRESS["WORDPRESS_APP_PASSWORD"])
        self.posts: list[int] = []

    def get(self, route: str, **params):
        response = self.http.get(f"{self.url}/wp-json/wp/v2/{route}", params={"context": "edit", **params}, timeout=20)
        response.raise_for_status()
        return response.json()

    def clean_up(self):
        for post_id in self.posts:
            for media in self.get("media", parent=post_id, per_page=100):
                self.http.delete(f"{self.url}/wp-json/wp/v2/media/{media['id']}", params={"force": "true"}, timeout=20)
            self.http.delete(f"{self.url}/wp-json/wp/v2/posts/{post_id}", params={"force": "true"}, timeout=20)


@pytest.fixture
def site(app):
    app.config.update(WORDPRESS)
    site = WordPressSite()
    yield site
    site.clean_up()


def _published_and_sent(app, client, make, session, site, title: str) -> tuple[Challenge, WordPressPost]:
    editor, challenge = _ready(make, session, title)
    Auth(client).login(editor)
    assert _post(client, challenge.id, "publish", version_seen=0).status_code == 302
    report = run_jobs(app)
    assert report.failed == 0, report.problems
    synced = fresh(session).get(WordPressPost, challenge.id)
    site.posts.append(synced.post_id)
    return challenge, synced


def _title() -> str:
    return f"What Do Therapists Really Think About Rest? {uuid.uuid4().hex[:6]}"


@pytest.mark.wordpress
def test_publishing_makes_the_post_with_its_cards_and_a_featured_image(app, client, make, session, site):
    editor, challenge = _ready(make, session, _title())
    Auth(client).login(editor)
    assert _post(client, challenge.id, "publish", version_seen=0).status_code == 302
    assert "Sent" not in client.get(f"/editor/challenges/{challenge.id}/publish").get_data(as_text=True)
    report = run_jobs(app)
    assert report.failed == 0, report.problems

    synced = fresh(session).get(WordPressPost, challenge.id)
    site.posts.append(synced.post_id)
    post = site.get(f"posts/{synced.post_id}")
    stored = fresh(session).get(Challenge, challenge.id)
    publication = stored.publications[-1]
    assert post["title"]["raw"] == stored.title and post["status"] == "draft"
    # The fragment passes WordPress's filter for Authors unchanged, without its own title.
    assert post["content"]["raw"] == wordpress.post_content(publication)
    assert "<h1" not in post["content"]["raw"] and "Even on busy days." in post["content"]["raw"]
    assert synced.link == post["link"]

    media = site.get("media", parent=synced.post_id, per_page=100)
    assert len(media) == 3 and all(m["mime_type"] == "image/png" for m in media)  # two cards, the link preview
    featured = site.get(f"media/{post['featured_media']}")
    # the link preview leads the post, its alt text naming the feature, the series and the practice
    assert featured["alt_text"].startswith("“") and "Therapists Being Human" in featured["alt_text"]
    [anonymous] = [m for m in media if m["alt_text"].startswith("Quote 2 of")]
    assert "Theo" not in anonymous["alt_text"] and "Person" not in anonymous["alt_text"]  # nothing of who wrote it

    page = client.get(f"/editor/challenges/{challenge.id}/publish").get_data(as_text=True)
    assert 'WordPress copy: <span data-progress="wordpress">sent</span>' in page and synced.link in page


@pytest.mark.wordpress
def test_a_correction_updates_the_same_post_and_unpublishing_makes_it_a_draft(app, client, make, session, site):
    app.config["WORDPRESS_STATUS"] = "publish"
    challenge, synced = _published_and_sent(app, client, make, session, site, _title())
    assert site.get(f"posts/{synced.post_id}")["status"] == "publish"

    second = session.scalars(select(Answer).where(Answer.challenge_id == challenge.id).order_by(Answer.id)).all()[1]
    second.state = AnswerState.REJECTED
    session.commit()
    _post(client, challenge.id, "publish", version_seen=1)
    assert run_jobs(app).failed == 0
    post = site.get(f"posts/{synced.post_id}")
    assert fresh(session).get(WordPressPost, challenge.id).post_id == synced.post_id
    assert "door left open" not in post["content"]["raw"] and "Even on busy days." in post["content"]["raw"]
    assert len(site.get("posts", search=challenge.title[-6:], status="draft,publish")) == 1

    _post(client, challenge.id, "unpublish")
    assert run_jobs(app).failed == 0
    assert site.get(f"posts/{synced.post_id}")["status"] == "draft"


@pytest.mark.wordpress
def test_the_settings_page_checks_the_connection_and_says_plainly_what_is_wrong(app, client, make, site):
    Auth(client).login(make.editor())
    page = "/editor/wordpress"
    checked = client.post("/editor/wordpress/check", data={"csrf_token": csrf(client, page)}, follow_redirects=True)
    assert f"Connected to {site.url} as" in checked.get_data(as_text=True) and "(author)" in checked.get_data(as_text=True)

    app.config["WORDPRESS_APP_PASSWORD"] = "abcd efgh ijkl mnop qrst uvwx"
    refused = client.post("/editor/wordpress/check", data={"csrf_token": csrf(client, page)}, follow_redirects=True)
    text = refused.get_data(as_text=True)
    assert "WordPress refused the user" in text and "Application Password" in text


@pytest.mark.wordpress
@pytest.mark.browser
def test_the_post_as_wordpress_shows_it(app, client, make, session, site, browser):
    app.config["WORDPRESS_STATUS"] = "publish"
    challenge, synced = _published_and_sent(app, client, make, session, site, _title())
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        response = page.goto(synced.link)
        assert response.status == 200
        text = page.inner_text("body")
        page.screenshot(path=str(ARTIFACTS / "wordpress-post.png"), full_page=True)
    finally:
        page.close()
    assert challenge.title in text and "Rest is a kindness we owe ourselves." in text and "Maya Okafor, RP" in text


# WordPress away: the publish goes through; the copy waits and says why ---------

def test_wordpress_down_never_fails_the_publish_and_the_page_says_why_with_a_retry(app, client, make, session):
    app.config.update(WORDPRESS_URL="http://127.0.0.1:9", WORDPRESS_USER="author", WORDPRESS_APP_PASSWORD="x")
    editor, challenge = _ready(make, session, "What Is Rest?")
    Auth(client).login(editor)
    assert _post(client, challenge.id, "publish", version_seen=0).status_code == 302
    assert app.test_client().get("/features/what-is-rest").status_code == 200
    page = client.get(f"/editor/challenges/{challenge.id}/publish").get_data(as_text=True)
    assert 'WordPress copy: <span data-progress="wordpress">waiting</span>' in page

    report = run_jobs(app)
    assert report.failed == 1 and report.done == 1  # the cards were drawn all the same
    page = client.get(f"/editor/challenges/{challenge.id}/publish").get_data(as_text=True)
    assert "failed: Nothing answered at http://127.0.0.1:9: is WordPress running there?" in page
    assert "Send to WordPress again" in page and 'href="/editor/wordpress"' in page
    state = client.get(f"/editor/challenges/{challenge.id}/publish/progress.json").json["wordpress"]
    assert state["state"] == "failed" and "Nothing answered" in state["reason"]

    job = fresh(session).scalars(select(PublicationJob).where(PublicationJob.kind == JobKind.WORDPRESS)).one()
    assert job.next_attempt_at > dt.datetime.now(dt.timezone.utc)
    assert run_jobs(app).failed == 0  # backoff: not tried again at once
    assert _post(client, challenge.id, "wordpress/retry").status_code == 302
    assert fresh(session).get(PublicationJob, job.id).next_attempt_at <= dt.datetime.now(dt.timezone.utc)
    assert run_jobs(app).failed == 1


def test_the_settings_page_says_when_wordpress_is_not_set_up_or_not_answering(app, client, make):
    Auth(client).login(make.editor())
    assert "Not set up" in client.get("/editor/wordpress").get_data(as_text=True)
    app.config.update(WORDPRESS_URL="http://127.0.0.1:9", WORDPRESS_USER="author", WORDPRESS_APP_PASSWORD="x")
    checked = client.post("/editor/wordpress/check", data={"csrf_token": csrf(client, "/editor/wordpress")},
                          follow_redirects=True)
    assert "Nothing answered at http://127.0.0.1:9" in checked.get_data(as_text=True)


def test_a_therapist_cannot_check_or_retry_wordpress(client, make, session):
    _, challenge = _ready(make, session, "What Is Rest?")
    Auth(client).login(make.therapist())
    token = csrf(client, "/my/answers")
    assert client.post("/editor/wordpress/check", data={"csrf_token": token}).status_code == 403
    assert client.post(f"/editor/challenges/{challenge.id}/wordpress/retry", data={"csrf_token": token}).status_code == 403
