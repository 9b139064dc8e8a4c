"""The Atom feed of published features: valid, public features only, linked
from every public page, honest about corrections, robust to stray bytes."""
from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ElementTree

import feedparser
import html5lib
from sqlalchemy import func, select

from curation.models import ChallengeState, Publication
from curation.publishing import services as publishing
from tests.conftest import fresh

ATOM = "{http://www.w3.org/2005/Atom}"
T1 = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.timezone.utc)
T2 = dt.datetime(2026, 3, 9, 14, 0, tzinfo=dt.timezone.utc)
T3 = dt.datetime(2026, 4, 1, 8, 0, tzinfo=dt.timezone.utc)
T4 = dt.datetime(2026, 4, 3, 17, 45, tzinfo=dt.timezone.utc)


def _ready(make, session, title, **answer_kw):
    editor = make.editor()
    challenge = make.challenge(editor, title=title)
    make.approved(challenge, editor, **answer_kw)
    challenge.state = ChallengeState.CLOSED
    session.commit()
    return editor, challenge


def _in_request(app, function, *args, **kwargs):
    with app.test_request_context():
        result = function(*args, **kwargs)
    return result


def _publish(app, session, challenge, editor, **kw):
    publication = _in_request(app, publishing.publish, session, challenge, editor, **kw)
    session.commit()
    return publication


def _feed(client):
    response = client.get("/feed.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    parsed = feedparser.parse(response.get_data())
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed, response.get_data()


def test_an_empty_feed_is_valid_atom(client):
    parsed, _ = _feed(client)
    assert parsed.entries == []


def test_the_feed_lists_public_features_only_newest_first(app, make, session, client):
    older_editor, older = _ready(make, session, "What Do Therapists Really Think About Rest?")
    newer_editor, newer = _ready(make, session, "What Do Therapists Really Think About Play?")
    gone_editor, gone = _ready(make, session, "What Do Therapists Really Think About Anger?")
    make.challenge(title="A Draft Nobody Has Seen", state="draft")
    make.challenge(title="An Open Challenge", state="open")
    _publish(app, session, older, older_editor, now=T1)
    _publish(app, session, newer, newer_editor, now=T2)
    _publish(app, session, gone, gone_editor, now=T3)
    _in_request(app, publishing.unpublish, session, gone, gone_editor)
    session.commit()
    parsed, _ = _feed(client)
    assert [e.title for e in parsed.entries] == [
        "What Do Therapists Really Think About Play?",
        "What Do Therapists Really Think About Rest?",
    ]
    assert parsed.feed.updated_parsed[:6] == T2.timetuple()[:6]


def test_every_public_page_links_to_the_feed(app, make, session, client):
    editor, challenge = _ready(make, session, "What Do Therapists Really Think About Rest?")
    _publish(app, session, challenge, editor)
    for path in ("/", f"/features/{challenge.slug}", "/auth/login"):
        tree = html5lib.parse(client.get(path).get_data(as_text=True), namespaceHTMLElements=False)
        feeds = [
            link.get("href")
            for link in tree.iter("link")
            if link.get("rel") == "alternate" and link.get("type") == "application/atom+xml"
        ]
        assert len(feeds) == 1, path
        assert client.get(feeds[0]).status_code == 200


def test_a_correction_updates_the_entry_but_keeps_its_publication_date_and_id(app, make, session, client):
    editor, challenge = _ready(make, session, "What Do Therapists Really Think About Rest?")
    _publish(app, session, challenge, editor, now=T1)
    (first,) = _feed(client)[0].entries
    _publish(app, session, challenge, editor, now=T2)
    (corrected,) = _feed(client)[0].entries
    assert corrected.published_parsed[:6] == T1.timetuple()[:6]
    assert corrected.updated_parsed[:6] == T2.timetuple()[:6]
    assert corrected.id == first.id and corrected.link == first.link

    _in_request(app, publishing.unpublish, session, challenge, editor, now=T3)
    session.commit()
    assert _feed(client)[0].entries == []
    fresh(session)
    _publish(app, session, challenge, editor, now=T4)
    (back,) = _feed(client)[0].entries
    assert back.published_parsed[:6] == T1.timetuple()[:6]
    assert back.updated_parsed[:6] == T4.timetuple()[:6]
    assert back.id == first.id


def test_the_entry_carries_the_stored_fragment_and_summary(app, make, session, client):
    editor, challenge = _ready(
        make, session, "What Do Therapists Really Think About Rest?", body="Rest <is> a kindness & a ]]> practice."
    )
    publication = _publish(app, session, challenge, editor)
    _, body = _feed(client)
    entry = ElementTree.fromstring(body).find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}content").get("type") == "html"
    assert entry.find(f"{ATOM}content").text.strip() == publication.fragment.strip()
    assert entry.find(f"{ATOM}summary").text == challenge.question
    assert "Rest &lt;is&gt; a kindness &amp; a ]]&gt; practice." in publication.fragment


CONTROL = "".join(chr(c) for c in (*range(0, 9), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F))


def _storable(session, text: str) -> str:
    """PostgreSQL refuses NUL in text columns outright, so there it can never
    reach the feed; SQLite stores it, so there the test carries it."""
    return text.replace("\x00", "") if session.get_bind().dialect.name == "postgresql" else text


def test_control_characters_in_an_answer_cannot_break_the_feed(app, make, session, client):
    # Forms strip these on input; a service call or an import may not.
    editor, challenge = _ready(
        make, session, "What Do Therapists Really Think About Rest?", body=_storable(session, f"Rest{CONTROL} matters.\tTruly.")
    )
    _publish(app, session, challenge, editor)
    parsed, body = _feed(client)
    assert "Rest matters." in parsed.entries[0].content[0].value
    assert not any(chr(c).encode() in body for c in range(0x20) if chr(c) not in "\t\n\r")


def test_a_stored_snapshot_holding_control_characters_cannot_break_the_feed(app, make, session, client):
    editor, challenge = _ready(make, session, "What Do Therapists Really Think About Rest?")
    publication = _publish(app, session, challenge, editor)
    other_editor, other = _ready(make, session, "What Do Therapists Really Think About Play?")
    _publish(app, session, other, other_editor)
    # as an older version of the app, or a restore, might have stored it
    publication.fragment = _storable(session, f"<p>Rest\x00 is{CONTROL} kind.</p>")
    publication.title = _storable(session, "Rest\x00ful\x1b")
    publication.summary = "What\x0c is rest?"
    session.commit()
    parsed, _ = _feed(client)
    titles = {entry.title for entry in parsed.entries}
    assert titles == {"Restful", "What Do Therapists Really Think About Play?"}
    entry = next(e for e in parsed.entries if e.title == "Restful")
    assert entry.summary == "What is rest?" and "Rest is kind." in entry.content[0].value


def test_feed_links_are_absolute_and_ids_stable(app, make, session, client):
    editor, challenge = _ready(make, session, "What Do Therapists Really Think About Rest?")
    _publish(app, session, challenge, editor)
    parsed, _ = _feed(client)
    again, _ = _feed(client)
    (entry,) = parsed.entries
    assert parsed.feed.id == again.feed.id == "http://curation.test/feed.atom"
    assert entry.id == again.entries[0].id == f"http://curation.test/features/{challenge.slug}"
    hrefs = [link.href for link in parsed.feed.links] + [link.href for link in entry.links]
    assert all(href.startswith("http://curation.test/") for href in hrefs)
    assert client.get(entry.link).status_code == 200


def test_with_a_base_url_the_feed_is_the_same_whichever_host_was_asked(app, make, session, client):
    app.config["BASE_URL"] = "https://practice.example/"
    editor, challenge = _ready(make, session, "What Do Therapists Really Think About Rest?")
    _publish(app, session, challenge, editor)
    bodies = [client.get("/feed.atom", base_url=f"http://{host}").get_data() for host in ("curation.test", "www.curation.test")]
    assert bodies[0] == bodies[1]
    parsed = feedparser.parse(bodies[0])
    assert parsed.bozo == 0
    assert parsed.entries[0].id == f"https://practice.example/features/{challenge.slug}"
    assert parsed.feed.id == "https://practice.example/feed.atom"
    page = client.get(f"/features/{challenge.slug}").get_data(as_text=True)
    assert f'content="https://practice.example/features/{challenge.slug}/share.png"' in page


def test_an_anonymous_author_is_not_named_in_the_feed(app, make, session, client):
    author = make.therapist(name="Noor Haddad", credentials="RP (Qualifying)", email="noor.haddad@example.org")
    editor, challenge = _ready(make, session, "What Do Therapists Really Think About Rest?", author=author, credit="anonymous")
    _publish(app, session, challenge, editor)
    _, body = _feed(client)
    for leak in (b"Noor", b"Haddad", b"noor.haddad", b"Qualifying"):
        assert leak not in body
    assert b"A registered psychotherapist" in body
    assert session.scalar(select(func.count()).select_from(Publication)) == 1
