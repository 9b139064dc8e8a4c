"""Response headers on every page, and no inline script or style that the
Content-Security-Policy would have to allow."""
import pytest

from tests.conftest import PASSWORD, csrf
from tests.security.conftest import routes, url_of
from tests.security.hostile_markup import parse
from tests.security.test_access_matrix import WHO_MAY

VIEWER = {"public": "anonymous", "auth": "anonymous", "signed_in": "therapist", "therapist": "therapist",
          "own": "therapist", "editor": "editor"}


def directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in policy.split(";") if part.strip()}


def assert_safe_headers(response, label):
    policy = directives(response)
    script = policy.get("script-src", policy.get("default-src", ""))
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script and "*" not in script, label
    assert "'unsafe-inline'" not in policy.get("style-src", ""), label
    assert policy.get("object-src") == "object-src 'none'", label
    assert policy.get("base-uri") == "base-uri 'none'", label
    assert response.headers["X-Content-Type-Options"] == "nosniff", label
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin", label
    return policy


def assert_no_inline_code(page: str, label: str):
    for element in parse(page).iter():
        if not isinstance(element.tag, str):
            continue
        assert element.tag != "style", f"{label}: a <style> element"
        # a JSON-LD block is data that no browser runs; any other inline script is code
        is_data = element.get("type") == "application/ld+json"
        assert not (element.tag == "script" and not element.get("src") and not is_data), f"{label}: an inline <script>"
        assert "style" not in element.attrib, f"{label}: style= on <{element.tag}>"
        assert not any(name.startswith("on") for name in element.attrib), f"{label}: an event handler attribute"


# Pages that send elsewhere when there is nothing for them to show: the code page
# of a two-step sign-in (only between password and code), and the confirmation
# of a publish that cannot happen yet.
MID_SIGN_IN = {"accounts.two_step_login", "publishing.confirm_publish"}


def _client(app, world, who):
    client = app.test_client()
    if who != "anonymous":
        user = world["users"][who]
        client.post("/auth/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf(client)})
    return client


def test_every_page_has_the_headers_and_no_inline_code(app, world):
    clients = {}
    checked = 0
    for rule, method in routes(app):
        if method != "GET":
            continue
        who = VIEWER[WHO_MAY[rule.endpoint]]
        client = clients.get(who) or clients.setdefault(who, _client(app, world, who))
        path = url_of(app, rule, world)
        response = client.get(path)
        # the code page of a two-step sign-in exists only between the password and the code
        expected = (200, 302) if rule.endpoint in MID_SIGN_IN else (200, 404)
        assert response.status_code in expected, f"{path}: {response.status_code}"
        policy = assert_safe_headers(response, path)
        if rule.endpoint != "public.feature":
            assert policy["frame-ancestors"] == "frame-ancestors 'none'", path
        if response.mimetype == "text/html":
            assert_no_inline_code(response.get_data(as_text=True), path)
        checked += 1
    # Error pages and refusals carry the same headers.
    for path, status in (("/nowhere", 404), ("/editor/", 302)):
        response = app.test_client().get(path)
        assert response.status_code == status
        assert_safe_headers(response, path)
    print(f"\nheaders: {checked} pages")


def test_pages_behind_a_login_are_not_cached(app, world):
    client = _client(app, world, "therapist")
    assert client.get("/my/answers").headers["Cache-Control"] == "private, no-store"


def test_public_pages_rendered_for_a_logged_in_person_are_not_kept_by_shared_caches(app, world):
    slug = world["values"]["slug"]
    editor = _client(app, world, "editor")
    for path in ("/", f"/features/{slug}", "/feed.atom"):
        response = editor.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "private, no-store", path
    # the archive carries the editor's menu and a CSRF token
    assert "Log out" in editor.get("/").get_data(as_text=True)


def test_public_snapshots_keep_their_etag_and_caching_for_visitors(app, world):
    slug = world["values"]["slug"]
    visitor = app.test_client()
    response = visitor.get(f"/features/{slug}")
    assert response.headers["Cache-Control"] == "public, max-age=60" and response.headers["ETag"]
    again = visitor.get(f"/features/{slug}", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_nobody_may_frame_the_pages_unless_the_practice_site_is_named(app, world, post, auth):
    slug = world["values"]["slug"]
    response = app.test_client().get(f"/features/{slug}")
    assert directives(response)["frame-ancestors"] == "frame-ancestors 'none'"
    assert response.headers["X-Frame-Options"] == "DENY"
    auth.login(world["users"]["editor"])
    response = post("/editor/settings", data={
        "practice_name": "Our practice", "booking_text": "Book.", "booking_label": "Book", "booking_url": "https://example.org/book",
        "anonymous_credit": "A registered psychotherapist", "frame_ancestors": "https://www.example-practice.ca",
        "reminder_days": 3})
    assert response.status_code == 302
    framed = app.test_client().get(f"/features/{slug}")
    assert directives(framed)["frame-ancestors"] == "frame-ancestors 'self' https://www.example-practice.ca"
    assert "X-Frame-Options" not in framed.headers
    # Only the public feature page may be framed; the editor's screens never.
    assert directives(app.test_client().get("/"))["frame-ancestors"] == "frame-ancestors 'none'"
    assert directives(app.test_client().get("/auth/login"))["frame-ancestors"] == "frame-ancestors 'none'"


@pytest.mark.parametrize("origins", [
    "https://ok.example; script-src *",
    "https://ok.example 'unsafe-inline'",
    "*",
    "https://ok.example,https://evil.example",
    "http://plain.example",
    "https://ok.example\nscript-src *",
    "data:",
])
def test_the_frame_setting_cannot_add_to_the_policy(app, world, post, auth, origins):
    auth.login(world["users"]["editor"])
    response = post("/editor/settings", data={
        "practice_name": "Our practice", "booking_text": "Book.", "booking_label": "Book", "booking_url": "https://example.org/book",
        "anonymous_credit": "A registered psychotherapist", "frame_ancestors": origins, "reminder_days": 3})
    assert response.status_code == 400
    policy = directives(app.test_client().get(f"/features/{world['values']['slug']}"))
    assert policy["frame-ancestors"] == "frame-ancestors 'none'" and policy["script-src"] == "script-src 'self'"
