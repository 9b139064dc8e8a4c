"""`?next=` and the review form's `next` only ever lead to a page of this site,
judged the way a browser resolves the Location it gets."""
import re
from urllib.parse import urljoin, urlsplit

from tests.conftest import PASSWORD, csrf

HOST = "curation.test"
HOSTILE_TARGETS = [
    "https://evil.example/",
    "http://evil.example",
    "//evil.example",
    "///evil.example",
    "////evil.example",
    "\\\\evil.example",
    "/\\evil.example",
    "\\/evil.example",
    "/\\/evil.example",
    "/.\\evil.example",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "%2F%2Fevil.example",
    "%2f%2fevil.example",
    "/%2F%2Fevil.example",
    "%5C%5Cevil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "\t//evil.example",
    " //evil.example",
    "/ /evil.example",
    "/\u200b/evil.example",
    "/\u3000/evil.example",
    "\u3002/evil.example",
    "https:evil.example",
    "https:/evil.example",
    "http:\\\\evil.example",
    "//evil.example@curation.test",
    "//curation.test@evil.example",
    "https://curation.test.evil.example/",
    "/\x00/evil.example",
    "\x01//evil.example",
    "//evil%2Eexample",
    "//①.example",
    "/%09/evil.example",
]


def lands_on_this_site(location: str) -> bool:
    """Resolve as a browser does (WHATWG URL): tabs and newlines vanish,
    leading C0 and spaces are trimmed, backslashes count as slashes."""
    cleaned = re.sub(r"[\t\n\r]", "", location).strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f"
                                                        "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
    cleaned = cleaned.replace("\\", "/")
    resolved = urlsplit(urljoin(f"http://{HOST}/auth/login", cleaned))
    return resolved.scheme in ("http", "https") and resolved.hostname == HOST


def test_the_judge_itself_sees_the_tricks():
    assert lands_on_this_site("/my/answers") and lands_on_this_site("/challenges/")
    assert not lands_on_this_site("/\\evil.example") and not lands_on_this_site("/\t/evil.example")
    assert not lands_on_this_site("javascript:alert(1)")


def test_login_never_sends_anyone_off_site(app, make, client, quick_passwords):
    user = make.therapist()
    for target in HOSTILE_TARGETS:
        response = client.post("/auth/login", query_string={"next": target},
                               data={"email": user.email, "password": PASSWORD, "csrf_token": csrf(client)})
        assert response.status_code == 302
        assert lands_on_this_site(response.headers["Location"]), (target, response.headers["Location"])
        assert response.headers["Location"] == "/challenges/", target


def test_the_login_page_never_carries_a_hostile_next_into_a_link(app, make, client):
    make.therapist()
    for target in HOSTILE_TARGETS:
        page = client.get("/auth/login", query_string={"next": target}).get_data(as_text=True)
        action = re.search(r'<form method="post" action="([^"]+)"', page).group(1)
        assert lands_on_this_site(action.replace("&amp;", "&")), target


def test_a_safe_next_is_honoured(app, make, client):
    user = make.therapist()
    response = client.post("/auth/login?next=/my/answers%3Fx%3D1",
                           data={"email": user.email, "password": PASSWORD, "csrf_token": csrf(client)})
    assert response.headers["Location"] == "/my/answers?x=1"


def test_the_review_form_next_field_never_leaves_the_site(app, make, auth, post):
    editor = make.editor()
    challenge = make.challenge(editor)
    answers = [make.answer(challenge) for _ in HOSTILE_TARGETS]
    auth.login(editor)
    for answer, target in zip(answers, HOSTILE_TARGETS, strict=True):
        response = post(f"/editor/answers/{answer.id}/review", data={"decision": "approve", "next": target})
        assert response.status_code == 302
        assert response.headers["Location"] == f"/editor/challenges/{challenge.id}", target


def test_a_login_that_carries_text_resends_it_to_this_site_only(app, make, client):
    user = make.therapist()
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        response = client.post("/auth/login", query_string={"next": target}, data={
            "email": user.email, "password": PASSWORD, "csrf_token": csrf(client), "carry-body": "My words."})
        page = response.get_data(as_text=True)
        action = re.search(r'<form method="post" action="([^"]+)"', page.split("<main", 1)[1]).group(1)
        assert action == "/challenges/" and "My words." in page
        client.post("/auth/logout", data={"csrf_token": csrf(client, "/account")})
