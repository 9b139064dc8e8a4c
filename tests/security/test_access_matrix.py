"""Every route × {anonymous, therapist, other therapist, editor, deactivated user}.

The routes come from `app.url_map`; each endpoint must have an entry in
`WHO_MAY`, so a route added later without one fails here before it ships.
"""
import pytest
from sqlalchemy import func, select

from curation.accounts import services as accounts
from curation.answers import services as answers
from curation.models import Answer, AuditEntry
from tests.conftest import PASSWORD, csrf, fresh
from tests.security.conftest import routes, url_of

# Who may use each endpoint.
#   public     – anyone, logged in or not
#   signed_in  – any logged-in person
#   therapist  – therapists only (editors get 403)
#   own        – therapists, and only on their own answer (another therapist gets 404)
#   editor     – editors only (therapists get 403)
#   auth       – login, logout, setup, invitation: reachable by anyone
WHO_MAY = {
    "public.archive": "public",
    "public.feature": "public",
    "public.feature_markdown": "public",
    "public.feature_fragment": "public",
    "public.quote_card": "public",
    "public.share_image": "public",
    "public.robots": "public",
    "public.feed": "public",
    "health.healthz": "public",
    "accounts.login": "auth",
    "accounts.logout": "auth",
    "accounts.first_editor": "auth",
    "accounts.accept_invitation": "auth",
    "accounts.account": "signed_in",
    "accounts.logout_everywhere": "signed_in",
    "accounts.request_reset": "auth",
    "accounts.reset_password": "auth",
    "accounts.confirm_email": "auth",
    "accounts.edit_person": "editor",
    "accounts.invitation_action": "editor",
    "accounts.my_data": "signed_in",
    "accounts.erase_person": "editor",
    "accounts.two_step_login": "auth",
    "accounts.two_step_setup": "editor",
    "accounts.two_step_off": "editor",
    "mail.notifications": "signed_in",
    "answers.open_challenges": "therapist",
    "answers.desk": "therapist",
    "answers.autosave": "therapist",
    "answers.mine": "therapist",
    "answers.withdraw": "own",
    "answers.excerpt_decision": "own",
    "answers.withdraw_consent": "own",
    "answers.propose_correction": "own",
    "answers.quote_change_decision": "own",
    "review.propose_quote_change": "editor",
    "review.corrections": "editor",
    "review.decide_correction": "editor",
    "challenges.dashboard": "editor",
    "challenges.new": "editor",
    "challenges.edit": "editor",
    "challenges.open_": "editor",
    "challenges.close": "editor",
    "review.queue": "editor",
    "review.decide": "editor",
    "review.order": "editor",
    "publishing.preview": "editor",
    "publishing.publish_page": "editor",
    "publishing.confirm_publish": "editor",
    "publishing.publish": "editor",
    "publishing.unpublish": "editor",
    "publishing.version": "editor",
    "publishing.progress": "editor",
    "publishing.unschedule": "editor",
    "publishing.retry_wordpress": "editor",
    "publishing.wordpress_settings": "editor",
    "publishing.check_wordpress": "editor",
    "accounts.people": "editor",
    "accounts.deactivate": "editor",
    "accounts.reactivate": "editor",
    "accounts.change_role": "editor",
    "practice.settings": "editor",
    "audit.log": "editor",
    "mail.outbox": "editor",
    "privacy.acknowledge": "editor",
    "privacy.crisis_resources": "editor",
    "suggestions.suggest": "public",
    "suggestions.index": "editor",
    "suggestions.decide": "editor",
    "challenges.remind": "editor",
    "therapists.page": "public",
    "therapists.public_page": "therapist",
}
# Tried last: after them the client is logged out.
LOG_OUT = {"accounts.logout", "accounts.logout_everywhere"}
ROLES = ("anonymous", "therapist", "other_therapist", "editor", "deactivated")
# What a permitted person may get: the page, a redirect, a form error, a conflict.
PERMITTED = {200, 302, 303, 400, 409}


def test_every_route_has_an_expectation(app):
    endpoints = {rule.endpoint for rule, _ in routes(app)}
    missing = endpoints - WHO_MAY.keys()
    assert not missing, f"add these endpoints to WHO_MAY in {__file__}: {sorted(missing)}"
    assert not WHO_MAY.keys() - endpoints, "WHO_MAY names endpoints that no longer exist"


def _client_as(app, session, role, world):
    client = app.test_client()
    if role == "anonymous":
        return client, csrf(client)
    user = world["users"][role]
    client.post("/auth/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf(client)})
    token = csrf(client, "/account")
    if role == "deactivated":
        # Logged in on this device, then an editor deactivates the account.
        accounts.set_deactivated(fresh(session), session.get(type(user), user.id), True, actor=world["users"]["editor"])
        session.commit()
    return client, token


def _goes_to_login(response, path):
    location = response.headers.get("Location", "")
    return response.status_code == 302 and location.startswith("/auth/login?next=") and path.split("?")[0] in location


def _expected(kind, role, endpoint):
    """'login', 'forbidden', 'missing' or 'permitted'."""
    if kind in ("public", "auth"):
        return "permitted"
    if role in ("anonymous", "deactivated"):
        return "login"
    if kind == "signed_in":
        return "permitted"
    if role == "editor":
        return "forbidden" if kind in ("therapist", "own") else "permitted"
    if kind == "editor":
        return "forbidden"
    if kind == "own" and role == "other_therapist":
        return "missing"
    return "permitted"


@pytest.mark.parametrize("role", ROLES)
def test_each_route_answers_each_role_as_expected(app, session, world, role):
    client, token = _client_as(app, session, role, world)
    tried, wrong = 0, []
    # Reading first, then changing, logging out last: a change made earlier
    # cannot hide a refusal later.
    order = lambda item: (item[1] != "GET", item[0].endpoint in LOG_OUT, item[0].rule)  # noqa: E731
    for rule, method in sorted(routes(app), key=order):
        kind = WHO_MAY.get(rule.endpoint)
        if kind is None:
            continue  # reported by test_every_route_has_an_expectation
        path = url_of(app, rule, world)
        if method == "GET":
            response = client.get(path)
        else:
            response = client.post(path, data={"csrf_token": token})
        expected = _expected(kind, role, rule.endpoint)
        status = response.status_code
        if expected == "login":
            # A page sends to the login; a form post gets the login page with what was sent.
            ok = _goes_to_login(response, path) if method == "GET" else (
                status == 401 and 'action="/auth/login?next=' in response.get_data(as_text=True))
        elif expected == "forbidden":
            ok = status == 403
        elif expected == "missing":
            ok = status == 404
        else:
            ok = status in PERMITTED and not _goes_to_login(response, path)
            if kind == "auth":  # a wrong login is 401; the first-editor page is gone once someone exists
                ok = ok or status in (401, 404)
        tried += 1
        if not ok:
            wrong.append(f"{method} {path} as {role}: {status}, expected {expected}")
        if role == "other_therapist":
            assert b"The owners private words" not in response.data, f"{method} {path}"
    assert not wrong, "\n".join(wrong)
    assert tried >= len(WHO_MAY)
    print(f"\naccess matrix, {role}: {tried} routes")


def test_after_deactivation_the_next_request_is_anonymous(app, session, world):
    client, _ = _client_as(app, session, "therapist", world)
    assert client.get("/my/answers").status_code == 200
    accounts.set_deactivated(fresh(session), world["users"]["therapist"], True, actor=world["users"]["editor"])
    session.commit()
    response = client.get("/my/answers")
    assert _goes_to_login(response, "/my/answers")
    assert "The owners private words" not in client.get("/my/answers", follow_redirects=True).get_data(as_text=True)


def _audit_count(session):
    return fresh(session).scalar(select(func.count(AuditEntry.id)))


def test_another_challenges_answer_in_the_order_field_changes_nothing(app, session, make, post, auth):
    editor = make.editor()
    ours, theirs = make.challenge(editor), make.challenge(editor, title="Another One")
    first, second = make.approved(ours, editor), make.approved(ours, editor)
    stranger = make.approved(theirs, editor)
    auth.login(editor)
    version = fresh(session).get(type(ours), ours.id).order_version
    before = _audit_count(session), [(a.id, a.position) for a in fresh(session).scalars(select(Answer).order_by(Answer.id))]
    for order in (f"{second.id},{first.id},{stranger.id}", f"{second.id},{stranger.id}", f"{stranger.id}",
                  f"{first.id},{first.id}", "-1", "1e9", f"{second.id};{first.id}"):
        response = post(f"/editor/challenges/{ours.id}/order", data={"order": order, "version": version})
        assert response.status_code == 400, order
    after = _audit_count(session), [(a.id, a.position) for a in fresh(session).scalars(select(Answer).order_by(Answer.id))]
    assert after == before


def test_a_therapist_cannot_reach_another_therapists_answer_by_any_id(app, session, make, client, post, auth):
    editor = make.editor()
    challenge = make.challenge(editor)
    owner, other = make.therapist(), make.therapist()
    theirs = make.approved(challenge, editor, owner, body="Only mine to change.", excerpt="Only mine")
    auth.login(other)
    before = _audit_count(session)
    assert post(f"/my/answers/{theirs.id}/withdraw-consent").status_code == 404
    assert post(f"/challenges/{challenge.id}/answer/excerpt", data={"decision": "accept", "answer_id": theirs.id}).status_code == 404
    assert post(f"/challenges/{challenge.id}/answer/withdraw", data={"answer_id": theirs.id}).status_code == 404
    # A field naming their answer is ignored: the desk only ever writes one's own answer.
    post(f"/challenges/{challenge.id}/answer", data={
        "body": "Overwritten?", "credit": "anonymous", "save": "Save draft", "answer_id": theirs.id, "author_id": owner.id,
        "id": theirs.id, "state": "approved", "published_at": "2020-01-01"})
    theirs = fresh(session).get(Answer, theirs.id)
    assert (theirs.body, theirs.state, theirs.excerpt_consent, theirs.credit) == (
        "Only mine to change.", "approved", "pending", "full")
    mine = answers.own_answer(session, challenge, other)
    assert (mine.body, mine.state, mine.published_at) == ("Overwritten?", "draft", None)
    assert _audit_count(session) == before + 1  # only the other therapist's own new draft
    assert "Only mine to change." not in client.get("/my/answers").get_data(as_text=True)
    assert client.get(f"/editor/answers/{theirs.id}/review").status_code == 403


def test_an_editor_cannot_review_a_draft_its_author_has_not_sent(app, session, make, client, post, auth):
    editor = make.editor()
    challenge = make.challenge(editor)
    draft = make.answer(challenge, body="Not sent yet.", submit=False)
    auth.login(editor)
    assert post(f"/editor/answers/{draft.id}/review", data={"decision": "approve"}).status_code == 404
    assert fresh(session).get(Answer, draft.id).state == "draft"
    assert "Not sent yet." not in client.get(f"/editor/challenges/{challenge.id}").get_data(as_text=True)
