"""Every POST route refuses a missing or wrong CSRF token and changes nothing.

The posts carry data that would change something if accepted, sent by the
person who may use the route, so only the token stands in the way.
"""
import pytest

from tests.conftest import PASSWORD, csrf, fresh
from tests.security.conftest import routes, snapshot, url_of
from tests.security.test_access_matrix import WHO_MAY

CHALLENGE = {"title": "Sneaked In", "topic": "Sneaking", "question": "Sneak?", "intro": "", "challengers": "Us", "outro": ""}
WOULD_CHANGE = {
    "accounts.login": lambda w: {"email": w["users"]["therapist"].email, "password": PASSWORD},
    "accounts.logout": lambda w: {},
    "accounts.first_editor": lambda w: {"email": "first@example.org", "name": "F", "password": PASSWORD, "password_confirm": PASSWORD},
    "accounts.accept_invitation": lambda w: {"name": "New Person", "credentials": "", "password": PASSWORD, "password_confirm": PASSWORD},
    "accounts.account": lambda w: {"current_password": PASSWORD, "password": "another long passphrase", "password_confirm": "another long passphrase"},
    "mail.notifications": lambda w: {},
    "answers.desk": lambda w: {"body": "Sneaked in.", "credit": "anonymous", "consent": "y", "save": "Save draft"},
    "answers.autosave": lambda w: {"body": "Sneaked in.", "credit": "anonymous"},
    "answers.withdraw": lambda w: {},
    "answers.excerpt_decision": lambda w: {"decision": "decline", "note": "Sneaked in."},
    "answers.withdraw_consent": lambda w: {},
    "answers.propose_correction": lambda w: {"body": "Sneaked in.", "note": "Sneaked in."},
    "answers.quote_change_decision": lambda w: {"change_id": 1, "decision": "accept"},
    "review.propose_quote_change": lambda w: {"excerpt": "", "note": "Sneaked in."},
    "review.decide_correction": lambda w: {"change_id": 1, "decision": "approve"},
    "challenges.new": lambda w: dict(CHALLENGE),
    "challenges.edit": lambda w: dict(CHALLENGE),
    "challenges.open_": lambda w: {},
    "challenges.close": lambda w: {},
    "review.decide": lambda w: {"decision": "reject", "note": "Sneaked in."},
    "review.order": lambda w: {"order": str(w["own_answer_id"]), "version": 1},
    "publishing.publish": lambda w: {"version_seen": 1},
    "publishing.unpublish": lambda w: {},
    "publishing.unschedule": lambda w: {},
    "publishing.retry_wordpress": lambda w: {},
    "publishing.check_wordpress": lambda w: {},
    "accounts.people": lambda w: {"email": "sneaked@example.org", "role": "editor"},
    "accounts.deactivate": lambda w: {},
    "accounts.reactivate": lambda w: {},
    "accounts.change_role": lambda w: {"role": "editor"},
    "accounts.logout_everywhere": lambda w: {},
    "accounts.request_reset": lambda w: {"email": w["users"]["therapist"].email},
    "accounts.reset_password": lambda w: {"password": "another long passphrase", "password_confirm": "another long passphrase"},
    "accounts.confirm_email": lambda w: {},
    "accounts.edit_person": lambda w: {"name": "Sneaked", "credentials": "X"},
    "accounts.invitation_action": lambda w: {},
    "accounts.erase_person": lambda w: {},
    "accounts.two_step_login": lambda w: {"code": "123456"},
    "accounts.two_step_setup": lambda w: {"code": "123456"},
    "accounts.two_step_off": lambda w: {"code": "123456"},
    "practice.settings": lambda w: {"practice_name": "Sneaked", "booking_text": "x", "booking_label": "x",
                                "booking_url": "https://evil.example/", "anonymous_credit": "x",
                                "frame_ancestors": "https://evil.example", "reminder_days": 3},
    "challenges.remind": lambda w: {},
    "privacy.acknowledge": lambda w: {"flag": "0" * 32},
    "privacy.crisis_resources": lambda w: {"add": "y"},
    "suggestions.suggest": lambda w: {"topic": "Sneaked in?", "details": "", "email": ""},
    "suggestions.decide": lambda w: {"state": "dismissed"},
    "therapists.public_page": lambda w: {"has_public_page": "y", "bio": "Sneaked in."},
}
# Who sends each post: someone the route lets in, so the token is all that refuses it.
SENDER = {"auth": "anonymous", "public": "anonymous", "signed_in": "therapist", "therapist": "therapist",
          "own": "therapist", "editor": "editor"}


def test_every_post_route_has_a_post_that_would_change_something(app):
    posts = {rule.endpoint for rule, method in routes(app) if method == "POST"}
    assert not posts - WOULD_CHANGE.keys(), f"add to WOULD_CHANGE: {sorted(posts - WOULD_CHANGE.keys())}"


def _logged_in(app, world, who):
    client = app.test_client()
    if who != "anonymous":
        user = world["users"][who]
        response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf(client)})
        assert response.status_code == 302
    csrf(client)  # the session holds a CSRF secret, as a browser's would after any page
    return client


@pytest.mark.parametrize("token", ["missing", "garbage", "another session's", "empty"])
def test_every_post_route_refuses_a_bad_token_and_changes_nothing(app, session, world, token):
    # every post is refused, so one login per person serves them all; logging in
    # writes a session, so it happens before the snapshot
    clients = {who: _logged_in(app, world, who) for who in set(SENDER.values())}
    before = snapshot(session)
    tried = 0
    stranger = app.test_client()
    tokens = {"missing": None, "garbage": "IjEyMyI.ZZZZZZ.abcdefabcdef", "empty": "",
              "another session's": csrf(stranger)}
    for rule, method in routes(app):
        if method != "POST" or rule.endpoint not in WOULD_CHANGE:
            continue
        who = SENDER[WHO_MAY[rule.endpoint]]
        client = clients.get(who) or clients.setdefault(who, _logged_in(app, world, who))
        data = WOULD_CHANGE[rule.endpoint](world)
        if tokens[token] is not None:
            data["csrf_token"] = tokens[token]
        path = url_of(app, rule, world)
        response = client.post(path, data=data)
        assert response.status_code == 400, f"{path} as {who} with a {token} token: {response.status_code}"
        page = response.get_data(as_text=True)
        assert "was not sent" in page or "not sent yet" in page, path
        if who != "anonymous":  # still logged in: the refused logout did not happen either
            assert client.get("/account").status_code == 200, path
        tried += 1
    assert snapshot(session) == before
    print(f"\nCSRF, {token} token: {tried} POST routes refused, database unchanged")


@pytest.mark.parametrize("source", [{"Origin": "https://evil.example"}, {"Origin": "null"},
                                    {"Referer": "https://evil.example/page"},
                                    {"Origin": "https://curation.test"},  # same host, other scheme: another origin
                                    {"Origin": "http://curation.test.evil.example"}])
def test_a_form_sent_from_another_site_is_not_offered_for_resending(app, session, world, source):
    editor = world["users"]["editor"]
    client = _logged_in(app, world, "editor")
    spare = world["spare"]
    response = client.post(f"/editor/people/{spare.id}/role", data={"role": "editor"}, headers=source)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Send again" not in page and 'name="role"' not in page
    assert "sent from another website" in page
    assert fresh(session).get(type(spare), spare.id).role == "therapist"
    assert editor.role == "editor"


def test_a_form_of_this_site_is_offered_for_resending(app, session, world):
    client = _logged_in(app, world, "editor")
    spare = world["spare"]
    for same_site in ({"Origin": "http://curation.test"}, {"Referer": "http://curation.test/editor/people"}, {}):
        page = client.post(f"/editor/people/{spare.id}/role", data={"role": "editor"}, headers=same_site).get_data(as_text=True)
        assert "Send again" in page and 'name="role" value="editor"' in page, same_site
