"""A whole edition through the web pages: first editor, invitations, answers,
review, order, preview, publish, correction, unpublish."""
import re

from sqlalchemy import func, select

from curation.models import Answer, AnswerState, AuditEntry, Challenge, ChallengeState, Publication
from tests.conftest import csrf, fresh, publish_form

PASSWORD = "a long enough passphrase"


def _post(client, path, data):
    data = dict(data)
    data["csrf_token"] = csrf(client, "/account") if "/auth/" not in path else csrf(client)
    return client.post(path, data=data)


def _without_editor_bar(html):
    return re.sub(r"\n*<link [^>]*editor-bar\.css[^>]*>.*?</aside>\n*", "\n", html, count=1, flags=re.DOTALL)


def _invite(client, email, role="therapist"):
    page = _post(client, "/editor/people", {"email": email, "role": role})
    assert page.status_code == 200
    return re.search(r'value="(http://[^"]+/auth/invite/[^"]+)"', page.get_data(as_text=True)).group(1)


def _accept(app, url, name, credentials):
    therapist = app.test_client()
    path = url.split("curation.test", 1)[1]
    token = csrf(therapist, path)
    response = therapist.post(
        path,
        data={"name": name, "credentials": credentials, "password": PASSWORD, "password_confirm": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return therapist


def test_an_editor_and_three_therapists_run_a_whole_edition(app, client, session):
    # First run: the site offers to create the first editor.
    assert client.get("/auth/login").headers["Location"].endswith("/auth/setup")
    response = client.post(
        "/auth/setup",
        data={
            "email": "elena@example.org", "name": "Elena Park", "credentials": "", "password": PASSWORD,
            "password_confirm": PASSWORD, "csrf_token": csrf(client, "/auth/setup"),
        },
    )
    assert response.headers["Location"].endswith("/editor/")

    response = _post(client, "/editor/challenges/new", {
        "title": "What Do Therapists Really Think About Empathy?", "topic": "Empathy",
        "question": "In your own words, what is empathy?", "intro": "We asked our therapists.",
        "challengers": "Psychotherapists", "outro": "Join us next time.", "closes_at": "2099-01-01T12:00",
        "word_limit": "120",
    })
    challenge_path = response.headers["Location"]
    challenge_id = int(challenge_path.rsplit("/", 1)[1])
    assert _post(client, f"/editor/challenges/{challenge_id}/open", {}).status_code == 302

    people = [("Maya Okafor", "RP", "full"), ("Liam Brennan", "MSW, RSW", "first"), ("Noor Haddad", "RP", "anonymous")]
    therapists = []
    for n, (name, credentials, credit) in enumerate(people):
        url = _invite(client, f"t{n}@example.org")
        therapist = _accept(app, url, name, credentials)
        assert "Empathy" in therapist.get("/challenges/").get_data(as_text=True)
        body = f"Empathy, for me, is staying with someone. Answer number {n} says so plainly.\n\nIt takes practice."
        # Draft first, then submit.
        response = therapist.post(f"/challenges/{challenge_id}/answer", data={
            "body": body, "credit": credit, "save": "Save draft", "csrf_token": csrf(therapist, "/challenges/")})
        assert response.status_code == 302
        response = therapist.post(f"/challenges/{challenge_id}/answer", data={
            "body": body, "credit": credit, "consent": "y", "submit": "Submit answer",
            "csrf_token": csrf(therapist, "/challenges/")})
        assert response.status_code == 302
        assert "submitted" in therapist.get("/my/answers").get_data(as_text=True)
        therapists.append(therapist)

    queue = client.get(challenge_path).get_data(as_text=True)
    assert queue.count('class="answer-card"') == 3
    answer_ids = [a.id for a in session.scalars(select(Answer).order_by(Answer.id))]
    fresh(session)

    # Approve two (one with an excerpt), request changes on the third.
    _post(client, f"/editor/answers/{answer_ids[0]}/review", {"decision": "approve", "note": "Lovely."})
    _post(client, f"/editor/answers/{answer_ids[1]}/review", {
        "decision": "approve", "excerpt": "Empathy, for me, is staying with someone. … It takes practice."})
    _post(client, f"/editor/answers/{answer_ids[2]}/review", {"decision": "request_changes", "note": "A little shorter?"})
    mine = therapists[2].get("/my/answers").get_data(as_text=True)
    assert "A little shorter?" in mine and "changes requested" in mine
    therapists[2].post(f"/challenges/{challenge_id}/answer", data={
        "body": "Empathy is staying with someone.", "credit": "anonymous", "consent": "y", "submit": "Resubmit",
        "csrf_token": csrf(therapists[2], "/challenges/")})
    _post(client, f"/editor/answers/{answer_ids[2]}/review", {"decision": "approve"})

    # The excerpt waits for its author's consent.
    _post(client, f"/editor/challenges/{challenge_id}/close", {})
    response = _post(client, f"/editor/challenges/{challenge_id}/publish", publish_form())
    assert response.headers["Location"].endswith(f"/editor/challenges/{challenge_id}/publish")
    assert "Liam Brennan" in client.get(response.headers["Location"]).get_data(as_text=True)
    therapists[1].post(f"/challenges/{challenge_id}/answer/excerpt", data={
        "decision": "accept", "csrf_token": csrf(therapists[1], "/challenges/")})

    # Order: anonymous first.
    order_page = client.get(f"/editor/challenges/{challenge_id}/order").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', order_page).group(1)
    response = _post(client, f"/editor/challenges/{challenge_id}/order", {
        "order": f"{answer_ids[2]},{answer_ids[0]},{answer_ids[1]}", "version": version})
    assert response.status_code == 302

    # The settings still hold the examples the tool ships with: publishing waits for the practice's own.
    response = _post(client, f"/editor/challenges/{challenge_id}/publish", publish_form())
    refused = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "own name and booking link in Settings" in refused and 'href="/editor/settings"' in refused
    assert fresh(session).scalar(select(func.count()).select_from(Publication)) == 0
    assert _post(client, "/editor/settings", {
        "practice_name": "Harbour Therapy", "booking_text": "Talk to us.", "booking_label": "Book a consultation",
        "booking_url": "https://harbour.example/book", "anonymous_credit": "A registered psychotherapist",
        "frame_ancestors": "", "reminder_days": "3"}).status_code == 302

    preview = client.get(f"/editor/challenges/{challenge_id}/preview").get_data(as_text=True)
    assert "Preview — not published" in preview and "The date you publish" in preview
    # Publishing asks first: how many quotes, and that each quoted therapist gets an e-mail.
    confirmation = client.get(f"/editor/challenges/{challenge_id}/publish/confirm")
    asking = confirmation.get_data(as_text=True)
    assert confirmation.status_code == 200 and "3 quotes" in asking
    assert all(name in asking for name in ("Maya Okafor", "Liam Brennan", "Noor Haddad"))
    assert fresh(session).scalar(select(func.count()).select_from(Publication)) == 0
    response = _post(client, f"/editor/challenges/{challenge_id}/publish", publish_form())
    slug_path = response.headers["Location"]
    assert slug_path.endswith("/features/what-do-therapists-really-think-about-empathy")
    seen_by_editor = client.get(slug_path).get_data(as_text=True)
    assert "Published" in seen_by_editor and f'href="/editor/challenges/{challenge_id}"' in seen_by_editor
    page = app.test_client().get(slug_path).get_data(as_text=True)
    published_on = fresh(session).scalars(select(Publication)).one().published_at.strftime("%-d %B %Y")
    # the preview is exactly what publishing froze, but for its bar and the date it could not know
    assert page == _without_editor_bar(preview).replace("The date you publish", published_on)
    assert "Back to the challenge" not in page

    # Structure of the series, in the editor's order, credited as chosen.
    for text in ("Today's Challenge", "The Challenge", "The Challengers", "The Results",
                 "In your own words, what is empathy?", "Join us next time.", "Book a consultation"):
        assert text in page
    anonymous, full, first = (page.index(s) for s in (
        "A registered psychotherapist", "Maya Okafor, RP", "Liam, MSW, RSW"))
    assert anonymous < full < first
    assert "Noor" not in page and "Haddad" not in page and "t2@example.org" not in page
    assert "Answer number 1 says so plainly" not in page  # the excerpt cut it
    assert "/features/what-do-therapists-really-think-about-empathy" in client.get("/").get_data(as_text=True)

    # A correction makes version 2; the first stays on record, superseded.
    _post(client, f"/editor/challenges/{challenge_id}/publish", publish_form(version_seen="1"))
    fresh(session)  # end the test session's snapshot to see the app's commits
    versions = session.scalars(select(Publication).order_by(Publication.version)).all()
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].superseded_at is not None and versions[1].is_public

    # Unpublish: gone from the public site, kept on record.
    _post(client, f"/editor/challenges/{challenge_id}/unpublish", {})
    assert client.get(slug_path).status_code == 404
    fresh(session)
    assert session.get(Challenge, challenge_id).state == ChallengeState.CLOSED
    assert session.scalar(select(func.count()).select_from(Publication)) == 2

    actions = {a for (a,) in session.execute(select(AuditEntry.action))}
    for action in ("challenge.created", "challenge.open", "challenge.closed", "invitation.created",
                   "invitation.accepted", "answer.submitted", "answer.approved", "answer.changes_requested",
                   "challenge.reordered", "publication.published", "publication.unpublished"):
        assert action in actions
    audit_page = client.get("/editor/audit").get_data(as_text=True)
    assert "publication.published" in audit_page and "Elena Park" in audit_page
    assert session.scalar(select(func.count()).select_from(Answer).filter_by(state=AnswerState.APPROVED)) == 3
