"""What an outside probe found: characters that break the feed, ids that
overflow, integrity races taken for outages, text that turns names around."""
import ast
import re
import unicodedata
from pathlib import Path
from xml.etree import ElementTree

import feedparser
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import DataError, IntegrityError

from curation.accounts import services as accounts
from curation.models import Answer, Challenge, ChallengeState, Publication, User
from curation.text import clean_text, one_line, printable
from tests.conftest import PASSWORD, csrf, fresh
from tests.security.conftest import routes

PACKAGE = Path(__file__).resolve().parents[2] / "curation"
HUGE = 10**30 - 1  # thirty digits


def _login(client, user):
    client.post("/auth/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf(client)})
    return csrf(client, "/account")


# --- the feed -----------------------------------------------------------------

@pytest.mark.parametrize("bad", ["\ufffe", "\uffff", "\x1b", "\x85", "\U0010ffff", "\ufdd0"])  # PostgreSQL cannot store a NUL
def test_one_character_in_one_answer_or_title_does_not_take_the_feed_down(app, make, session, client, bad):
    editor = make.editor()
    challenge = make.challenge(editor, title="Rest")
    make.approved(challenge, editor, body=f"Rest is{bad} a kindness.")
    challenge.state = ChallengeState.CLOSED
    session.commit()
    with app.test_request_context():
        from curation.publishing import services as publishing

        publishing.publish(session, challenge, editor)
    session.commit()
    # a row written before the rules, or by a script: stored as it came
    session.execute(update(Publication).values(title=f"Rest{bad} and play", summary=f"Sum{bad}mary"))
    session.commit()
    body = client.get("/feed.atom").get_data()
    ElementTree.fromstring(body)  # well-formed XML, or this raises
    parsed = feedparser.parse(body)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.entries[0].title == "Rest and play"


def test_typed_text_is_kept_in_nfc_without_characters_no_output_can_carry(make, auth, post, session):
    therapist = make.therapist()
    challenge = make.challenge()
    auth.login(therapist)
    typed = "Mi papa\u0301 descansa\ufffe\x07\x9b.\r\nLine two\twith a tab."
    assert post(f"/challenges/{challenge.id}/answer", data={"body": typed, "credit": "full", "save": "1"}).status_code == 302
    body = fresh(session).scalars(select(Answer)).one().body
    assert body == "Mi papá descansa.\nLine two\twith a tab."
    assert unicodedata.is_normalized("NFC", body)


def test_bidi_controls_are_removed_from_one_line_fields_only(make, auth, post, session):
    editor = make.editor()
    auth.login(editor)
    response = post("/editor/challenges/new", data={
        "title": "Rest \u202eevil\u202c today", "topic": "Re\u2066st\u2069", "question": "What is rest?",
        "challengers": "Psycho\u202dtherapists", "intro": "Arabic \u2067نص\u2069 stays", "outro": ""})
    assert response.status_code == 302
    challenge = fresh(session).scalars(select(Challenge)).one()
    assert (challenge.title, challenge.topic, challenge.challengers) == ("Rest evil today", "Rest", "Psychotherapists")
    assert "\u2067" in challenge.intro  # multi-line text may need them, and keeps them


def test_names_and_credentials_lose_line_breaks_tabs_and_bidi_controls():
    assert one_line(" Dana\u202e \tWhitfield\n RP ") == "Dana Whitfield RP"
    assert one_line(None) == ""
    assert clean_text("a\r\nb\rc\x00\x1f\x7f\x80\x9f") == "a\nb\nc"
    assert printable("Dana\u202e\nW", single_line=True) == "Dana W"
    assert printable("line\nline\ufffe") == "line\nline"


# --- ids beyond the database's range --------------------------------------------

@pytest.mark.parametrize("role", ["therapist", "editor"])
def test_an_id_of_thirty_digits_is_a_404_on_every_route(app, world, role):
    client = app.test_client()
    token = _login(client, world["users"][role])
    tried = []
    for rule, method in routes(app):
        if "<int:" not in rule.rule:
            continue
        # the path by hand: url_for refuses to build an id the converter refuses
        path = re.sub(r"<int:\w+>", str(HUGE), rule.rule)
        path = re.sub(r"<(\w+)>", lambda m: str(world["values"][m.group(1)]), path)
        response = client.get(path) if method == "GET" else client.post(path, data={"csrf_token": token})
        tried.append((method, path, response.status_code))
    assert tried and all(status == 404 for _, _, status in tried), [t for t in tried if t[2] != 404]


def test_the_largest_id_the_database_holds_is_still_looked_up(app, world):
    client = app.test_client()
    _login(client, world["users"]["editor"])
    assert client.get(f"/editor/challenges/{2**31 - 1}").status_code == 404
    assert client.get(f"/editor/challenges/{world['values']['challenge_id']}").status_code == 200


# --- integrity races are conflicts, outages are outages -------------------------------

def _editor_client(app, make):
    editor = make.editor()
    client = app.test_client()
    token = _login(client, editor)
    return client, token


def test_a_uniqueness_race_is_a_409_with_a_plain_message_not_an_outage(app, make, session, monkeypatch):
    client, token = _editor_client(app, make)
    before = fresh(session).scalar(select(func.count()).select_from(User))

    def lost_the_race(*args, **kwargs):
        raise IntegrityError("INSERT INTO invitations ...", {}, Exception("UNIQUE constraint failed"))

    monkeypatch.setattr(accounts, "invite", lost_the_race)
    response = client.post("/editor/people", data={"email": "new@example.org", "role": "therapist", "csrf_token": token})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "at the same moment" in page and "not answering" not in page and "Traceback" not in page
    assert fresh(session).scalar(select(func.count()).select_from(User)) == before


def test_a_statement_the_database_refuses_is_a_fault_not_an_outage(app, make, monkeypatch):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    client, _ = _editor_client(app, make)

    def refused(*args, **kwargs):
        raise DataError("SELECT ...", {}, Exception("integer out of range"))

    monkeypatch.setattr(accounts, "people", refused)
    response = client.get("/editor/people")
    assert response.status_code == 500
    assert "not answering" not in response.get_data(as_text=True)


# --- the code's own shape -------------------------------------------------------------

CORE = ("db", "models", "security", "errors", "templating", "audit", "text", "urls", "rescue", "excerpts",
        "extensions", "schema", "cron", "editor_markdown", "health")
# Every package that is not core is a domain, so a new one is covered without a word here.
DOMAINS = tuple(sorted(path.parent.name for path in PACKAGE.glob("*/__init__.py") if path.parent.name not in CORE))


def test_the_domains_are_the_packages_beside_the_core():
    assert {"accounts", "mail", "practice", "privacy", "suggestions", "therapists"} <= set(DOMAINS)
    assert "audit" not in DOMAINS and "site" not in DOMAINS


@pytest.mark.parametrize("module", CORE)
def test_core_modules_import_no_domain_package(module):
    # a core package (audit) is held to it in every one of its files
    files = [PACKAGE / f"{module}.py"] if (PACKAGE / f"{module}.py").exists() else list((PACKAGE / module).glob("*.py"))
    assert files
    imported = set()
    for tree in (ast.parse(path.read_text()) for path in files):
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
                imported.update(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
    assert not {name for name in imported if name.split(".")[:2] in [["curation", d] for d in DOMAINS]}


def test_no_private_flask_login_api_is_used():
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text()
        assert "login_manager._" not in text and "flask_login.utils._" not in text, path


def test_views_leave_domain_errors_to_the_one_handler_or_the_shared_field_helper():
    for path in PACKAGE.glob("*/views.py"):
        text = path.read_text()
        assert ".errors.append(problem.message)" not in text, path


def test_a_name_given_on_the_command_line_is_cleaned_like_a_typed_one(runner, session):
    result = runner.invoke(args=["create-user", "ed@example.org", "--name", "Ed\u202e\tItor", "--role", "editor",
                                 "--credentials", "R\u2066P\n", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    user = fresh(session).scalars(select(User)).one()
    assert (user.name, user.credentials) == ("Ed Itor", "RP")
