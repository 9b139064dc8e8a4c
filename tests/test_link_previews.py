"""What link previews and search engines read from a published feature."""
from __future__ import annotations

import io
import json

import html5lib
from PIL import Image

from curation.models import ChallengeState, SiteSetting
from curation.publishing import services as publishing


def _published(app, make, session, *, credit="full", versions=1):
    editor = make.editor()
    challenge = make.challenge(editor, title="What Do Therapists Really Think About Rest?")
    author = make.therapist(name="Noor Haddad")
    make.approved(challenge, editor, author, body="Rest is part of the work.", credit=credit)
    challenge.state = ChallengeState.CLOSED
    session.merge(SiteSetting(key="practice_name", value="Harbour Therapy"))
    session.commit()
    for _ in range(versions):
        with app.test_request_context():
            publication = publishing.publish(session, challenge, editor)
        session.commit()
    return publication


def _head(page: str) -> dict[str, str]:
    tree = html5lib.parse(page, namespaceHTMLElements=False)
    return {
        (meta.get("property") or meta.get("name")): meta.get("content")
        for meta in tree.iter("meta") if meta.get("property") or meta.get("name")
    }


def _json_ld(page: str) -> dict:
    tree = html5lib.parse(page, namespaceHTMLElements=False)
    blocks = [s.text for s in tree.iter("script") if s.get("type") == "application/ld+json"]
    assert len(blocks) == 1
    return json.loads(blocks[0])


def test_the_page_carries_the_tags_platforms_want(app, make, session, client):
    publication = _published(app, make, session)

    page = client.get(f"/features/{publication.slug}").get_data(as_text=True)

    meta = _head(page)
    share = f"http://curation.test/features/{publication.slug}/share.png"
    assert meta["og:image"] == meta["twitter:image"] == share
    assert (meta["og:image:width"], meta["og:image:height"]) == ("1200", "630")
    assert "What Do Therapists Really Think About Rest?" in meta["og:image:alt"]
    assert meta["og:site_name"] == "Therapists Being Human"
    assert meta["article:published_time"] == publication.published_at.date().isoformat()
    assert meta["twitter:card"] == "summary_large_image"
    assert meta["twitter:description"] == meta["description"] == "In your own words, what is rest?"
    assert "<title>What Do Therapists Really Think About Rest? · Therapists Being Human</title>" in page
    image = Image.open(io.BytesIO(client.get(f"/features/{publication.slug}/share.png").get_data()))
    assert image.size == (1200, 630)


def test_json_ld_names_the_practice_never_an_author_and_dates_a_correction(app, make, session, client):
    publication = _published(app, make, session, credit="anonymous", versions=2)

    page = client.get(f"/features/{publication.slug}").get_data(as_text=True)

    article = _json_ld(page)
    assert article["@type"] == "Article"
    assert article["headline"] == "What Do Therapists Really Think About Rest?"
    assert article["publisher"] == {"@type": "Organization", "name": "Harbour Therapy"}
    assert "Noor" not in json.dumps(article)
    assert article["dateModified"] == publication.published_at.date().isoformat()
    assert article["datePublished"] == publication.first_published_at.date().isoformat()
    assert _head(page)["article:modified_time"] == article["dateModified"]
    assert "Noor" not in page


def test_json_ld_cannot_be_broken_out_of_by_a_title(app, make, session, client):
    editor = make.editor()
    challenge = make.challenge(editor, title="</script><script>alert(1)</script>")
    make.approved(challenge, editor)
    challenge.state = ChallengeState.CLOSED
    session.commit()
    with app.test_request_context():
        publication = publishing.publish(session, challenge, editor)
    session.commit()

    page = client.get(f"/features/{publication.slug}").get_data(as_text=True)

    assert _json_ld(page)["headline"] == "</script><script>alert(1)</script>"
    assert page.count("<script") == 1


def test_the_series_name_is_a_setting_used_by_public_titles(app, make, session, client):
    session.merge(SiteSetting(key="series_name", value="Counsellors Off Duty"))
    session.commit()
    publication = _published(app, make, session)

    page = client.get(f"/features/{publication.slug}").get_data(as_text=True)
    archive = client.get("/").get_data(as_text=True)

    assert "· Counsellors Off Duty</title>" in page
    assert "<title>Counsellors Off Duty: every feature</title>" in archive and "Curation" not in archive.split("</title>")[0]
    assert _head(archive)["description"].startswith("Counsellors Off Duty")


def test_robots_txt_lets_crawlers_read_features_and_not_the_editors_screens(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200 and response.mimetype == "text/plain"
    body = response.get_data(as_text=True)
    assert "User-agent: *" in body and "Disallow: /editor/" in body and "Allow: /" in body
