"""Random values in every form: never a 5xx or a traceback, and a refused
form stores nothing.

The forms are every POST route in `app.url_map` (a new one cannot slip past);
their fields are read from the pages that show them, plus a few that no form
has. For each route Hypothesis picks the fields sent and their values, with
a fixed budget and derandomized, so a run is the same on every machine.
"""
import importlib

import html5lib
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wtforms.fields.core import UnboundField

from tests.conftest import PASSWORD, csrf
from tests.security.conftest import routes, snapshot, url_of
from tests.security.test_access_matrix import WHO_MAY

# Who sends each kind of route's forms (see WHO_MAY).
SENDER = {"public": "editor", "signed_in": "therapist", "therapist": "therapist", "own": "therapist",
          "editor": "editor", "auth": "anonymous"}
# Logging out ends the session every later example needs; it has no fields.
NOT_FUZZED = {"accounts.logout"}
EXTRA_FIELDS = ("id", "answer_id", "state", "author_id", "version_seen", "next", "from_page", "page")
AWKWARD = [
    "", " ", "0", "-1", "1e9", str(2**31), str(10**30), "NaN", "approve", "request_changes", "reject",
    "accept", "decline", "editor", "therapist", "full", "first", "anonymous", "y", "on", "1,2,3",
    "https://example.org/x", "javascript:alert(1)", "//evil.example", "\ufffe\uffff", "\x00\x1b\x85",
    "\u202egnp.exe", "e\u0301", "<script>alert(1)</script>", "a" * 3000, "2026-13-40T25:61",
]
VALUES = st.one_of(st.sampled_from(AWKWARD), st.text(max_size=40))


def _every_form_field() -> set[str]:
    """For a form no page showed (an answer no longer editable, a setup that
    is gone): the fields of every form class."""
    names = set()
    for module in ("accounts", "answers", "challenges", "review", "practice", "mail"):
        forms = importlib.import_module(f"curation.{module}.forms")
        for form in vars(forms).values():
            if isinstance(form, type) and issubclass(form, FlaskForm):
                for klass in form.__mro__:
                    names.update(n for n, v in vars(klass).items() if isinstance(v, UnboundField))
    return names


def _fields_by_action(pages: list[tuple[str, str]]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for url, page in pages:
        tree = html5lib.parse(page, namespaceHTMLElements=False)
        for form in tree.iter("form"):
            names = {e.get("name") for tag in ("input", "textarea", "select", "button") for e in form.iter(tag)}
            action = (form.get("action") or url).split("?")[0]  # no action: the page's own address
            found.setdefault(action, set()).update(n for n in names if n and n != "csrf_token")
    return found


def _client(app, world, role):
    client = app.test_client()
    if role != "anonymous":
        user = world["users"][role]
        client.post("/auth/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf(client)})
    return client, csrf(client, "/account" if role != "anonymous" else "/auth/login")


FUZZ = settings(max_examples=8,  # per route: about 200 posts in all
                derandomize=True, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def test_every_post_route_is_fuzzed_or_named_as_not(app):
    posts = {rule.endpoint for rule, method in routes(app) if method == "POST"}
    assert posts - NOT_FUZZED and NOT_FUZZED <= posts
    assert posts <= WHO_MAY.keys()


def test_random_values_in_every_form_never_break_the_site_or_store_a_refusal(app, session, world):
    clients = {role: _client(app, world, role) for role in ("anonymous", "therapist", "editor")}
    targets, pages = [], []
    for rule, method in routes(app):
        kind = WHO_MAY[rule.endpoint]
        if method == "GET" and kind != "public":
            url = url_of(app, rule, world)
            pages.append((url, clients[SENDER[kind]][0].get(url).get_data(as_text=True)))
        if method == "POST" and rule.endpoint not in NOT_FUZZED:
            targets.append((rule.endpoint, url_of(app, rule, world), SENDER[kind]))
    fields = _fields_by_action(pages)
    targets.sort()
    seen: dict[str, int] = {}
    named: dict[str, int] = {}

    def fuzz(endpoint, path, role):
        names = sorted((fields.get(path) or _every_form_field()) | set(EXTRA_FIELDS))
        named[endpoint] = len(names) - len(EXTRA_FIELDS)

        @FUZZ
        @given(st.dictionaries(st.sampled_from(names), VALUES, max_size=len(names)))
        def post_values(sent):
            client, token = clients[role]
            before = snapshot(session)
            response = client.post(path, data={**sent, "csrf_token": token})
            assert response.status_code < 500, (endpoint, sent, response.status_code)
            assert "Traceback" not in response.get_data(as_text=True), endpoint
            if response.status_code >= 400:
                assert snapshot(session) == before, (endpoint, sent, response.status_code)
            seen[endpoint] = seen.get(endpoint, 0) + 1

        post_values()

    for target in targets:
        fuzz(*target)
    print(f"\nform fuzz: {sum(seen.values())} posts over {len(seen)} of {len(targets)} routes; fields found: {named}")
    assert len(seen) == len(targets), sorted({t[0] for t in targets} - seen.keys())
