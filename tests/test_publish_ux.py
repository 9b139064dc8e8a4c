"""The editor's publishing moments, through the pages: the placeholders that must
not go live, the confirmation before publishing, the message after it, the
preview, what the challenge needs next, and corrections that say what they change
and mail only the people they touch."""
import json
import re

import pytest
from sqlalchemy import delete, func, select

from curation.answers import services as answers
from curation.challenges import services as challenges
from curation.models import OutboxMail, Publication, SiteSetting
from curation.publishing.corrections import Part, content_hash, word_diff
from curation.review import services as review
from tests.conftest import PRACTICE, Auth, csrf, fresh, publish_form
from tests.test_quote_changes import version_changed


@pytest.fixture
def edition(make, session):
    """A closed challenge with two approved quotes, ready to publish."""
    editor = make.editor(name="Elena Park")
    challenge = make.challenge(editor)
    maya = make.therapist(name="Maya Okafor", credentials="RP")
    liam = make.therapist(name="Liam Brennan", credentials="MSW")
    make.approved(challenge, editor, maya, body="Rest is the pause that lets me hear my clients again.")
    make.approved(challenge, editor, liam, body="Rest is not a reward for finishing the work.")
    challenges.close_challenge(session, challenge, editor)
    session.commit()
    return editor, challenge, maya, liam


def _publish(post, challenge, **fields):
    return post(f"/editor/challenges/{challenge.id}/publish", publish_form(**fields))


def _outbox(session, kind):
    return fresh(session).scalars(select(OutboxMail).filter_by(kind=kind).order_by(OutboxMail.id)).all()


# -- placeholders ------------------------------------------------------------------------

def test_publishing_waits_for_the_practices_own_name_and_booking_link(edition, session, auth, client, post):
    editor, challenge, _, _ = edition
    session.execute(delete(SiteSetting))
    session.commit()
    auth.login(editor)
    page = client.get(f"/editor/challenges/{challenge.id}/publish").get_data(as_text=True)
    assert "name and booking link are still the example" in page and 'href="/editor/settings"' in page
    assert 'value="yes"' not in page and "Publish…</button>" not in page

    response = _publish(post, challenge)
    assert response.headers["Location"].endswith(f"/editor/challenges/{challenge.id}/publish")
    assert "in Settings before publishing" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert fresh(session).scalar(select(func.count()).select_from(Publication)) == 0
    assert _outbox(session, "feature_published") == []

    # the name alone is not enough: the example booking link would still go live
    session.add(SiteSetting(key="practice_name", value="Harbour Therapy"))
    session.commit()
    _publish(post, challenge)
    assert "booking link in Settings" in client.get(f"/editor/challenges/{challenge.id}/publish").get_data(as_text=True)
    assert fresh(session).scalar(select(func.count()).select_from(Publication)) == 0

    session.add(SiteSetting(key="booking_url", value="https://harbour.example/book"))
    session.commit()
    assert "/features/" in _publish(post, challenge).headers["Location"]


# -- confirmation and the message after ---------------------------------------------------

def test_the_publish_button_asks_first_with_the_count_and_who_gets_a_mail(edition, session, auth, client, post):
    editor, challenge, maya, liam = edition
    liam.wants_notifications = False
    session.commit()
    auth.login(editor)
    page = client.get(f"/editor/challenges/{challenge.id}/publish").get_data(as_text=True)
    assert "Publish…" in page

    asked = client.get(f"/editor/challenges/{challenge.id}/publish/confirm?version_seen=0")
    text = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "2 quotes" in text
    assert "Maya Okafor" in text.split("Not mailed")[0]
    assert re.search(r"Not mailed.*Liam Brennan", text, re.DOTALL)
    # the confirmation's own form says yes and carries the version the editor saw
    assert 'name="confirm" value="yes"' in text and 'name="version_seen" value="0"' in text
    assert fresh(session).scalar(select(func.count()).select_from(Publication)) == 0 and _outbox(session, "feature_published") == []

    response = _publish(post, challenge, version_seen="0")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/features/{fresh(session).get(type(challenge), challenge.id).slug}")
    assert [m.recipient for m in _outbox(session, "feature_published")] == [maya.email]


def test_the_editor_lands_on_the_public_page_with_a_message_and_a_way_back(edition, session, auth, client, post, app):
    editor, challenge, _, _ = edition
    auth.login(editor)
    location = _publish(post, challenge).headers["Location"]
    seen = client.get(location)
    html = seen.get_data(as_text=True)
    assert "Published: this is the public page" in html and "1 therapist" not in html
    assert f'href="/editor/challenges/{challenge.id}"' in html and "Back to the challenge" in html
    assert seen.headers["Cache-Control"] == "private, no-store"
    assert "Published: this is the public page" not in client.get(location).get_data(as_text=True)  # said once

    reader = app.test_client().get(location)
    stored = fresh(session).scalars(select(Publication)).one().html
    assert reader.get_data(as_text=True) == stored
    assert "Back to the challenge" not in stored and "editor-bar" not in stored
    assert reader.headers["Cache-Control"].startswith("public")


def test_a_therapist_sees_the_public_page_as_readers_do(edition, session, auth, client, post, app, make):
    editor, challenge, maya, _ = edition
    editor_client = app.test_client()
    Auth(editor_client).login(editor)
    editor_client.post(f"/editor/challenges/{challenge.id}/publish",
                       data=publish_form(csrf_token=csrf(editor_client, "/account")))
    auth.login(maya)
    slug = fresh(session).get(type(challenge), challenge.id).slug
    page = client.get(f"/features/{slug}").get_data(as_text=True)
    assert page == fresh(session).scalars(select(Publication)).one().html


# -- preview --------------------------------------------------------------------------------

def test_the_preview_says_it_is_not_published_and_leads_back(edition, auth, client):
    editor, challenge, _, _ = edition
    auth.login(editor)
    html = client.get(f"/editor/challenges/{challenge.id}/preview").get_data(as_text=True)
    assert "Preview — not published" in html
    assert f'href="/editor/challenges/{challenge.id}"' in html
    assert f'href="/editor/challenges/{challenge.id}/publish"' in html
    date = re.search(r'<p class="feature-date">([^<]*)</p>', html).group(1)
    assert date == "The date you publish"
    # the bar stands outside the snapshot's own markup
    assert html.index("editor-bar") < html.index('<header class="feature-header">')


def test_the_markdown_and_fragment_of_the_preview_can_be_copied_before_publishing(edition, session, auth, client):
    editor, challenge, _, _ = edition
    auth.login(editor)
    page = client.get(f"/editor/challenges/{challenge.id}/publish").get_data(as_text=True)
    markdown = re.search(r'<textarea id="copy-markdown"[^>]*>(.*?)</textarea>', page, re.DOTALL).group(1)
    fragment = re.search(r'<textarea id="copy-fragment"[^>]*>(.*?)</textarea>', page, re.DOTALL).group(1)
    assert "Rest is the pause that lets me hear my clients again" in markdown
    assert "Maya Okafor, RP" in markdown and PRACTICE["booking_url"] in markdown
    assert "Rest is not a reward" in fragment and "The date you publish" in fragment
    assert fresh(session).scalar(select(func.count()).select_from(Publication)) == 0


def test_no_copy_of_the_preview_while_an_author_has_not_agreed_to_their_excerpt(edition, session, auth, client):
    editor, challenge, maya, _ = edition
    [answer] = [a for a in review.approved_in_order(session, challenge) if a.author_id == maya.id]
    review.review(session, answer, editor, decision="approve", excerpt="Rest is the pause …")
    session.commit()
    auth.login(editor)
    page = client.get(f"/editor/challenges/{challenge.id}/publish").get_data(as_text=True)
    assert "Waiting for consent" in page and 'id="copy-markdown"' not in page


# -- what next --------------------------------------------------------------------------------

def _next_step(client, challenge):
    page = client.get(f"/editor/challenges/{challenge.id}").get_data(as_text=True)
    section = re.search(r'<section class="next-step".*?</section>', page, re.DOTALL).group(0)
    actions = re.search(r'<div class="actions">.*?</div>', page, re.DOTALL).group(0)
    return section, actions


def test_a_draft_without_answers_shows_what_it_needs_next_not_buttons_that_do_nothing(make, auth, client):
    editor = make.editor()
    challenge = make.challenge(editor, state="draft")
    auth.login(editor)
    section, actions = _next_step(client, challenge)
    assert "Open for answers" in section
    assert "Order quotes" not in actions and "Publish…" not in actions
    assert "Open it" in client.get("/editor/").get_data(as_text=True)


def test_the_next_step_follows_the_edition(make, session, auth, client, post):
    editor = make.editor()
    challenge = make.challenge(editor)
    auth.login(editor)
    section, actions = _next_step(client, challenge)
    assert "Wait for answers" in section and "Order quotes" not in actions

    first = make.answer(challenge)
    second = make.answer(challenge)
    section, _ = _next_step(client, challenge)
    assert "Review 2 submitted" in section and "?state=submitted" in section

    for answer in (first, second):
        review.review(session, fresh(session).get(type(answer), answer.id), editor, decision="approve")
        session.commit()
    section, actions = _next_step(client, challenge)
    assert "Order quotes" in section and "Publish…" not in actions

    order_page = client.get(f"/editor/challenges/{challenge.id}/order").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', order_page).group(1)
    post(f"/editor/challenges/{challenge.id}/order", {"order": f"{second.id},{first.id}", "version": version})
    section, actions = _next_step(client, challenge)
    assert "Close for answers" in section and "Order quotes" in actions

    post(f"/editor/challenges/{challenge.id}/close")
    section, _ = _next_step(client, challenge)
    assert "Publish…" in section

    _publish(post, challenge)
    section, _ = _next_step(client, challenge)
    assert "Published page (v1)" in section


def test_a_closed_challenge_without_approved_answers_offers_to_reopen(make, auth, client):
    editor = make.editor()
    challenge = make.challenge(editor, state="closed")
    auth.login(editor)
    section, actions = _next_step(client, challenge)
    assert "Reopen for answers" in section and "Publish…" not in actions


# -- corrections ---------------------------------------------------------------------------------

@pytest.fixture
def published(edition, session, auth, post):
    editor, challenge, _maya, _liam = edition
    auth.login(editor)
    _publish(post, challenge)
    fresh(session)
    return edition


def test_saving_a_published_challenge_says_the_public_page_still_shows_the_old_version(published, session, client, post):
    _editor, challenge, _, _ = published
    fields = {"title": "What Do Therapists Really Think About Resting?", "topic": "Rest",
              "question": "In your own words, what is rest?", "intro": "We asked.", "challengers": "Psychotherapists",
              "outro": "Join us next time."}
    response = post(f"/editor/challenges/{challenge.id}/edit", fields)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "the public page still shows version 1" in page
    assert "Correction owed" in page and "Publish a correction" in page
    assert re.search(r"<del>.*?Rest\?</del>", page) and re.search(r"<ins>.*?Resting\?</ins>", page)
    assert "Correction owed" in client.get(f"/editor/challenges/{challenge.id}/publish").get_data(as_text=True)
    assert "What Do Therapists Really Think About Resting?" in client.get("/editor/").get_data(as_text=True).split(
        "A correction is owed")[1].split("</div>")[0]
    # the public page is untouched until the correction
    slug = fresh(session).get(type(challenge), challenge.id).slug
    assert "Resting" not in client.application.test_client().get(f"/features/{slug}").get_data(as_text=True)


def test_a_correction_mails_only_the_author_whose_quote_it_takes_out(published, session, client, post, app):
    _editor, challenge, maya, _liam = published
    [answer] = [a for a in review.approved_in_order(session, challenge) if a.author_id == maya.id]
    answers.withdraw_consent(session, answer, maya)
    session.commit()
    before = len(_outbox(session, "feature_published"))

    page = client.get(f"/editor/challenges/{challenge.id}").get_data(as_text=True)
    assert "Maya Okafor withdrew consent" in page and "Quote by Maya Okafor</strong>\n    — taken out" in page
    assert "Quote by Liam Brennan</strong>\n    — moves from place 2 to 1" in page

    asked = client.get(f"/editor/challenges/{challenge.id}/publish/confirm?version_seen=1").get_data(as_text=True)
    assert "Publish a correction?" in asked and "Maya Okafor — their quote is taken out" in asked
    assert "Liam Brennan" not in asked.split("Who gets an e-mail")[1]

    response = _publish(post, challenge, version_seen="1")
    assert "/features/" in response.headers["Location"]
    assert "Correction published as version 2" in client.get(response.headers["Location"]).get_data(as_text=True)
    [corrected] = _outbox(session, "feature_corrected")
    assert corrected.recipient == maya.email and "Corrected:" in corrected.subject
    assert "Your quote is no longer in the feature." in corrected.text_body
    assert len(_outbox(session, "feature_published")) == before  # nobody hears "is published" again
    assert "Correction owed" not in client.get(f"/editor/challenges/{challenge.id}").get_data(as_text=True)
    assert "A correction is owed" not in client.get("/editor/").get_data(as_text=True)


def test_changed_words_are_shown_word_by_word_and_mailed_to_their_author_with_the_change(published, session, client, post):
    _editor, challenge, maya, _liam = published
    # the published version froze older words of Maya's than the quote holds now
    publication = fresh(session).scalars(select(Publication)).one()
    data = json.loads(publication.data)
    [quote] = [q for q in data["quotes"] if q["consent"]["author_id"] == maya.id]
    quote["text"] = "Rest is the pause that lets me hear again."
    publication.data, publication.content_hash = json.dumps(data), content_hash(data)
    session.commit()

    page = client.get(f"/editor/challenges/{challenge.id}/publish").get_data(as_text=True)
    assert "Quote by Maya Okafor" in page and re.search(r"<ins>.*?my clients</ins>", page)
    asked = client.get(f"/editor/challenges/{challenge.id}/publish/confirm?version_seen=1").get_data(as_text=True)
    assert "Maya Okafor — their words change" in asked and "Liam Brennan" not in asked.split("Who gets an e-mail")[1]
    _publish(post, challenge, version_seen="1")
    [corrected] = _outbox(session, "feature_corrected")
    assert corrected.recipient == maya.email
    assert "Rest is the pause that lets me hear again." in corrected.text_body
    assert "Rest is the pause that lets me hear my clients again." in corrected.text_body
    assert re.search(r"<ins[^>]*>my clients</ins>", corrected.html_body)


def test_new_settings_apply_from_the_next_feature_and_owe_no_correction(published, session, client, post):
    _editor, challenge, _, _ = published
    assert post("/editor/settings", {**PRACTICE, "booking_text": "Talk to us.", "booking_label": "Book now",
                                     "anonymous_credit": "A registered psychotherapist", "frame_ancestors": "",
                                     "reminder_days": "3"}).status_code == 302
    assert "A correction is owed" not in client.get("/editor/").get_data(as_text=True)
    assert "Correction owed" not in client.get(f"/editor/challenges/{challenge.id}").get_data(as_text=True)


def test_a_changed_credit_is_a_correction_for_that_author_only(published, session, client, post):
    _editor, challenge, _maya, liam = published
    fresh(session).get(type(liam), liam.id).credentials = "MSW, RSW"
    session.commit()
    page = client.get(f"/editor/challenges/{challenge.id}/publish").get_data(as_text=True)
    assert "Correction owed" in page and "Liam Brennan, MSW, RSW" in page
    _publish(post, challenge, version_seen="1")
    [corrected] = _outbox(session, "feature_corrected")
    assert corrected.recipient == liam.email
    assert "Liam Brennan, MSW</" not in corrected.text_body and "It is now: Liam Brennan, MSW, RSW" in corrected.text_body


def test_a_change_saved_and_undone_owes_no_correction(published, session, client, post):
    _editor, challenge, _, _ = published
    fields = {"topic": "Rest", "question": "In your own words, what is rest?", "intro": "We asked.",
              "challengers": "Psychotherapists", "outro": "Join us next time."}
    post(f"/editor/challenges/{challenge.id}/edit", {**fields, "title": "A passing title"})
    assert fresh(session).get(type(challenge), challenge.id).needs_correction
    post(f"/editor/challenges/{challenge.id}/edit", {**fields, "title": "What Do Therapists Really Think About Rest?"})
    assert "A correction is owed" not in client.get("/editor/").get_data(as_text=True)
    assert "Correction owed" not in client.get(f"/editor/challenges/{challenge.id}").get_data(as_text=True)


def test_a_correction_against_a_version_someone_replaced_meanwhile_is_refused(published, session, client, post):
    _editor, challenge, _, _ = published
    _publish(post, challenge, version_seen="1")
    response = _publish(post, challenge, version_seen="1")
    assert response.headers["Location"].endswith(f"/editor/challenges/{challenge.id}/publish")
    assert "while you were looking" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert fresh(session).scalar(select(func.count()).select_from(Publication)) == 2


def test_the_versions_table_names_a_quote_taken_out_and_the_author_of_an_anonymous_one(
    make, session, auth, client, post, login_as
):
    editor = make.editor()
    challenge = make.challenge(editor)
    maya = make.therapist(name="Maya Okafor")
    quiet = make.approved(challenge, editor, maya, body="Rest is where I find my clients again.", credit="anonymous")
    make.approved(challenge, editor, body="Rest is not a reward for finishing the work.")
    challenges.close_challenge(session, challenge, editor)
    session.commit()
    auth.login(editor)
    _publish(post, challenge)
    author = login_as(maya)
    withdrawn = author.post(f"/my/answers/{quiet.id}/withdraw-consent", data={"csrf_token": csrf(author, "/account")})
    assert withdrawn.status_code == 302
    _publish(post, challenge, version_seen="1")

    # the quote after it moves up a place, which is no new order
    assert version_changed(client, challenge, 2) == "Quote by Maya Okafor (anonymous on the public page) removed"
    assert version_changed(client, challenge, 1) == "First publication"


def test_the_versions_table_says_a_version_changed_only_the_title(published, session, client, post):
    _editor, challenge, _, _ = published
    post(f"/editor/challenges/{challenge.id}/edit", {
        "title": "What Do Therapists Really Think About Resting?", "topic": "Rest",
        "question": "In your own words, what is rest?", "intro": "We asked.", "challengers": "Psychotherapists",
        "outro": "Join us next time."})
    _publish(post, challenge, version_seen="1")
    assert version_changed(client, challenge, 2) == "Title changed"


def test_the_versions_table_says_a_version_put_the_quotes_in_a_new_order(published, session, client, post):
    _editor, challenge, _, _ = published
    first, second = review.approved_in_order(session, challenge)
    order_page = client.get(f"/editor/challenges/{challenge.id}/order").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', order_page).group(1)
    post(f"/editor/challenges/{challenge.id}/order", {"order": f"{second.id},{first.id}", "version": version})
    _publish(post, challenge, version_seen="1")
    assert version_changed(client, challenge, 2) == "Quotes in a new order"


def test_the_versions_table_says_a_feature_taken_down_was_published_again(published, session, client, post):
    _editor, challenge, _, _ = published
    assert post(f"/editor/challenges/{challenge.id}/unpublish").status_code == 302
    _publish(post, challenge, version_seen="1")
    assert version_changed(client, challenge, 2) == "Published again after v1 was taken off the site, with the same words"
    assert "unpublished" in client.get(f"/editor/challenges/{challenge.id}/publish").get_data(as_text=True)


def test_the_versions_table_says_when_the_version_before_is_no_longer_on_record(published, session, client, post):
    _editor, challenge, maya, _liam = published
    # erasing Maya corrects the feature and deletes the version that named her
    assert post(f"/editor/people/{maya.id}/erase", {f"feature_{challenge.id}": "anonymous"}).status_code == 302
    assert version_changed(client, challenge, 2) == "v1 is no longer on record, so what this version changed is not known"
    assert 'id="version-1"' not in client.get(f"/editor/challenges/{challenge.id}/publish").get_data(as_text=True)


def test_the_publish_page_reads_its_versions_in_a_fixed_number_of_statements(published, client, post, count_queries):
    _editor, challenge, _, _ = published

    def statements():
        url = f"/editor/challenges/{challenge.id}/publish"
        client.get(url)
        with count_queries() as seen:
            assert client.get(url).status_code == 200
        return len(seen)

    _publish(post, challenge, version_seen="1")
    few = statements()
    for seen in range(2, 6):
        _publish(post, challenge, version_seen=str(seen))
    assert "v6" in client.get(f"/editor/challenges/{challenge.id}/publish").get_data(as_text=True)
    assert statements() == few


def test_a_therapist_cannot_reach_the_confirmation(edition, auth, client, post):
    _, challenge, maya, _ = edition
    auth.login(maya)
    assert client.get(f"/editor/challenges/{challenge.id}/publish/confirm").status_code == 403
    assert post(f"/editor/challenges/{challenge.id}/publish").status_code == 403


def test_a_word_level_diff_keeps_only_a_little_unchanged_text_around_a_change():
    before = " ".join(f"w{n}" for n in range(1, 31))
    after = before.replace("w15 ", "W15 ")
    assert word_diff(before, after) == [
        Part("same", "… w10 w11 w12 w13 w14"),
        Part("removed", "w15"),
        Part("added", "W15"),
        Part("same", "w16 w17 w18 w19 w20 …"),
    ]
    assert word_diff("a b", "a b c") == [Part("same", "a b"), Part("added", "c")]


def test_publishing_again_without_changes_says_nothing_changes_and_mails_nobody(published, session, client, post):
    _, challenge, _, _ = published
    asked = client.get(f"/editor/challenges/{challenge.id}/publish/confirm?version_seen=1").get_data(as_text=True)
    assert "No words or credits change" in asked and "Nobody: no quoted therapist" in asked
    _publish(post, challenge, version_seen="1")
    assert _outbox(session, "feature_corrected") == []
    assert fresh(session).scalar(select(func.count()).select_from(Publication)) == 2
