"""Get to know our therapists: opt-in public pages built from what was published."""
import re

from sqlalchemy import select

from curation import therapists
from curation.challenges import services as challenges
from curation.models import Answer, AuditEntry, Challenge, User
from curation.publishing import services as publishing
from tests.conftest import fresh


def _publish(app, session, make, editor, quotes, title):
    """A published feature with (author, credit, body) quotes."""
    challenge = make.challenge(editor, title=title)
    for author, credit, body in quotes:
        make.approved(challenge, editor, author, credit=credit, body=body)
    challenge = fresh(session).get(Challenge, challenge.id)
    challenges.close_challenge(session, challenge, editor)
    with app.test_request_context():
        publication = publishing.publish(session, challenge, editor)
    session.commit()
    return publication


def _opt_in(session, user, **fields):
    user = fresh(session).get(User, user.id)
    therapists.services.save_public_page(session, user, wanted=True, bio=fields.get("bio", ""),
                                         profile_url=fields.get("profile_url", ""))
    session.commit()
    return user


def test_a_therapist_opts_in_on_their_own_page(app, session, make, auth, post, client):
    maya = make.therapist(name="Maya Okafor", credentials="RP")
    auth.login(maya)
    assert client.get("/account/public-page").status_code == 200
    response = post("/account/public-page", data={"has_public_page": "y", "bio": "I work with couples.",
                                                  "profile_url": "https://practice.example/maya"})
    assert response.status_code == 302
    maya = fresh(session).get(User, maya.id)
    assert (maya.has_public_page, maya.public_slug, maya.bio) == (True, "maya-okafor", "I work with couples.")
    page = client.get("/therapists/maya-okafor").get_data(as_text=True)
    assert "Maya Okafor, RP" in page and "I work with couples." in page
    assert 'href="https://practice.example/maya"' in page
    assert fresh(session).scalar(select(AuditEntry.action).where(AuditEntry.action == "therapist.public_page_opened"))


def test_a_bad_profile_link_or_long_bio_is_refused_and_kept(app, session, make, auth, post):
    maya = make.therapist(name="Maya Okafor")
    auth.login(maya)
    response = post("/account/public-page", data={"has_public_page": "y", "bio": "Kept words",
                                                  "profile_url": "javascript:alert(1)"})
    assert response.status_code == 400 and "starting with https://" in response.get_data(as_text=True)
    assert "Kept words" in response.get_data(as_text=True)
    response = post("/account/public-page", data={"has_public_page": "y", "bio": "b" * 601})
    assert response.status_code == 400 and "600 characters" in response.get_data(as_text=True)
    assert fresh(session).get(User, maya.id).has_public_page is False


def test_the_page_lists_named_quotes_newest_first_from_the_snapshots_and_never_anonymous_ones(app, session, make, client):
    editor = make.editor()
    maya, other = make.therapist(name="Maya Okafor", credentials="RP"), make.therapist()
    maya = _opt_in(session, maya)
    _publish(app, session, make, editor, [(maya, "full", "Rest is part of the work.")], "Older Feature")
    _publish(app, session, make, editor, [(maya, "anonymous", "A secret about sleep."), (other, "full", "Theirs.")],
             "Anonymous Feature")
    newest = _publish(app, session, make, editor, [(maya, "first", "Empathy is staying.")], "Newest Feature")
    # the live answer changes after publishing: the page shows what was published
    answer = fresh(session).scalars(select(Answer).where(Answer.body == "Empathy is staying.")).one()
    answer.body = "Changed later."
    session.commit()
    page = client.get("/therapists/maya-okafor").get_data(as_text=True)
    assert page.index("Empathy is staying.") < page.index("Rest is part of the work.")
    assert "— Maya, RP, in" in page and "— Maya Okafor, RP, in" in page
    assert f'href="/features/{newest.slug}"' in page
    assert "A secret about sleep." not in page and "Anonymous Feature" not in page and "Theirs." not in page
    assert "Changed later." not in page


def test_credit_lines_link_to_the_page_and_anonymous_ones_never_do(app, session, make, client):
    editor = make.editor()
    maya, noor = make.therapist(name="Maya Okafor"), make.therapist(name="Noor Haddad")
    _opt_in(session, maya)
    _opt_in(session, noor)
    publication = _publish(app, session, make, editor, [(maya, "full", "Named words."), (noor, "anonymous", "Unnamed words.")],
                           "Links Feature")
    feature = client.get(f"/features/{publication.slug}").get_data(as_text=True)
    assert re.search(r'<a href="[^"]*/therapists/maya-okafor">Maya Okafor, RP</a>', feature)
    assert "/therapists/noor-haddad" not in feature and "noor" not in feature.lower()
    assert "/therapists/noor-haddad" not in publication.fragment and "/therapists/noor" not in publication.data


def test_opting_out_or_being_deactivated_hides_the_page(app, session, make, auth, post, client):
    maya = make.therapist(name="Maya Okafor")
    _opt_in(session, maya)
    assert client.get("/therapists/maya-okafor").status_code == 200
    auth.login(maya)
    post("/account/public-page", data={"bio": "", "profile_url": ""})
    assert client.get("/therapists/maya-okafor").status_code == 404
    assert fresh(session).get(User, maya.id).public_slug == "maya-okafor"  # kept for when they opt in again


def test_an_unknown_or_editors_slug_is_404(app, session, make, client):
    editor = make.editor(name="Edna Editor")
    _opt_in(session, editor)
    assert client.get("/therapists/edna-editor").status_code == 404
    assert client.get("/therapists/nobody").status_code == 404


def test_two_people_of_the_same_name_get_their_own_addresses(app, session, make):
    first, second = (_opt_in(session, make.therapist(name="Sam Lee")) for _ in range(2))
    assert (first.public_slug, second.public_slug) == ("sam-lee", "sam-lee-2")


def test_erasing_a_person_removes_the_page(app, session, make, client):
    maya = _opt_in(session, make.therapist(name="Maya Okafor"), bio="Bio")
    therapists.remove_public_page(session, maya)
    session.commit()
    maya = fresh(session).get(User, maya.id)
    assert (maya.has_public_page, maya.public_slug, maya.bio) == (False, None, "")
    assert client.get("/therapists/maya-okafor").status_code == 404


def test_an_editor_has_no_public_page_form(app, make, auth, client):
    auth.login(make.editor())
    assert client.get("/account/public-page").status_code == 403
