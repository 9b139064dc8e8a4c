"""The public site as plain files for the web server: written after each
publish, correction and unpublish when CURATION_STATIC_DIR is set, and all of
it by `export-static DIR`."""
from __future__ import annotations

import gzip

import pytest
from sqlalchemy import select

from curation.models import (
    Answer,
    AnswerState,
    Challenge,
    JobKind,
    PublicationJob,
)
from tests.conftest import Auth, csrf, fresh, run_jobs


@pytest.fixture
def site(app, tmp_path, make, session, client):
    directory = tmp_path / "site"
    app.config["STATIC_DIR"] = str(directory)
    editor, challenge = make.ready_to_publish("Rest is a kindness.", "Rest is a door left open.")
    Auth(client).login(editor)
    return directory, challenge


def _post(client, path: str, **data):
    page = path.rsplit("/", 1)[0] + "/publish"
    return client.post(path, data={"csrf_token": csrf(client, page), **data})


def _files(directory) -> set[str]:
    return {str(p.relative_to(directory)) for p in directory.rglob("*") if p.is_file()}


def test_a_publish_writes_the_feature_its_outputs_and_cards_the_archive_and_the_feed(app, client, session, site):
    directory, challenge = site
    assert _post(client, f"/editor/challenges/{challenge.id}/publish", version_seen=0).status_code == 302
    assert not directory.exists()  # after the commit, not in the request
    assert fresh(session).scalars(select(PublicationJob.kind).order_by(PublicationJob.id)).all() == [
        JobKind.CARDS, JobKind.STATIC_FILES
    ]
    run_jobs(app)
    slug = "what-is-rest"
    assert _files(directory) == {
        "index.html", "index.html.gz", "feed.atom", "feed.atom.gz",
        f"features/{slug}/index.html", f"features/{slug}/index.html.gz",
        f"features/{slug}/fragment.html", f"features/{slug}/fragment.html.gz",
        f"features/{slug}.md", f"features/{slug}.md.gz",
        f"features/{slug}/quotes/1.png", f"features/{slug}/quotes/2.png", f"features/{slug}/share.png",
    }
    reader = app.test_client()
    page = (directory / f"features/{slug}/index.html").read_bytes()
    assert page == reader.get(f"/features/{slug}").data
    assert gzip.decompress((directory / f"features/{slug}/index.html.gz").read_bytes()) == page
    assert (directory / f"features/{slug}/quotes/2.png").read_bytes() == reader.get(f"/features/{slug}/quotes/2.png").data
    assert (directory / f"features/{slug}.md").read_bytes() == reader.get(f"/features/{slug}.md").data
    assert f'/features/{slug}"' in (directory / "index.html").read_text()  # the archive links to it
    assert "What Is Rest?" in (directory / "feed.atom").read_text()


def test_a_correction_rewrites_the_files_and_leaves_no_card_of_the_old_version(app, client, session, site):
    directory, challenge = site
    _post(client, f"/editor/challenges/{challenge.id}/publish", version_seen=0)
    run_jobs(app)
    second = fresh(session).scalars(select(Answer).where(Answer.challenge_id == challenge.id).order_by(Answer.id)).all()[1]
    second.state = AnswerState.REJECTED
    session.commit()
    _post(client, f"/editor/challenges/{challenge.id}/publish", version_seen=1)
    run_jobs(app)
    quotes = directory / "features/what-is-rest/quotes"
    assert sorted(p.name for p in quotes.iterdir()) == ["1.png"]
    assert "door left open" not in (directory / "features/what-is-rest/index.html").read_text()
    assert not [name for name in _files(directory) if "partial" in name]


def test_unpublishing_removes_the_feature_and_its_place_in_the_archive(app, client, session, site):
    directory, challenge = site
    _post(client, f"/editor/challenges/{challenge.id}/publish", version_seen=0)
    run_jobs(app)
    _post(client, f"/editor/challenges/{challenge.id}/unpublish")
    run_jobs(app)
    assert _files(directory) == {"index.html", "index.html.gz", "feed.atom", "feed.atom.gz"}
    assert "What Is Rest?" not in (directory / "index.html").read_text()


def test_export_static_writes_every_public_feature(app, runner, client, session, site, tmp_path):
    _, challenge = site
    _post(client, f"/editor/challenges/{challenge.id}/publish", version_seen=0)  # no job run: cards not drawn yet
    target = tmp_path / "export"
    result = runner.invoke(args=["export-static", str(target)])
    assert result.exit_code == 0 and "Wrote 1 feature(s)" in result.output
    slug = fresh(session).get(Challenge, challenge.id).slug
    assert (target / f"features/{slug}/quotes/2.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (target / f"features/{slug}/index.html").read_bytes() == app.test_client().get(f"/features/{slug}").data
    # Safe to run again.
    assert runner.invoke(args=["export-static", str(target)]).exit_code == 0


def test_without_a_static_dir_no_files_are_written(app, client, session, make, tmp_path):
    editor, challenge = make.ready_to_publish()
    Auth(client).login(editor)
    _post(client, f"/editor/challenges/{challenge.id}/publish", version_seen=0)
    assert fresh(session).scalars(select(PublicationJob.kind)).all() == [JobKind.CARDS]
