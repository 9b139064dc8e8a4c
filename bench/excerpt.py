#!/usr/bin/env python3
"""(f) The excerpt check at the size limit against an ordinary review.

An editor approves, through the Flask test client, (1) an ordinary answer of a
few sentences with an excerpt of two cuts and (2) an answer of 20,000
characters with an excerpt of thousands of cuts. Prints the check alone and
the whole review request, median of N each, and their ratio.

Usage: bench/excerpt.py [--requests 30]   (bench/run --only excerpt runs it too)
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import seed
from curation import db
from curation.excerpts import ELLIPSIS, check_excerpt
from curation.models import Answer, AnswerState

TARGET = 5.0  # "within a few times an ordinary review"
LIMIT = 20_000


def at_the_limit(rng: random.Random) -> tuple[str, str]:
    """An answer of LIMIT characters, and an excerpt keeping every other word."""
    pieces: list[str] = []
    while sum(len(p) + 1 for p in pieces) < LIMIT:
        pieces.append(rng.choice(seed.WORDS) + rng.choice(["", "", ",", ".", ";"]))
    body = " ".join(pieces)[:LIMIT].rsplit(" ", 1)[0]
    excerpt = f" {ELLIPSIS} ".join(p.strip(",.;") for p in body.split(" ")[::2])
    return body, excerpt


def ordinary(rng: random.Random) -> tuple[str, str]:
    body = " ".join(seed._sentence(rng, 12) for _ in range(4))
    sentences = body.split(". ")
    return body, f"{sentences[0]}. {ELLIPSIS} {sentences[2]}."


def _median_seconds(action, times: int) -> float:
    timings = []
    for _ in range(times):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def excerpt_check(workdir: Path, requests: int) -> None:
    rng = random.Random(7)
    cases = {"ordinary": ordinary(rng), "size limit": at_the_limit(rng)}
    app = seed.make_app(workdir / "excerpt.db")
    challenge_id = seed.seed_edition(app, answers=2, all_approved=False)
    with app.app_context():
        session = db.new_session(writes=True)
        answers = session.query(Answer).filter_by(challenge_id=challenge_id).order_by(Answer.id).all()
        for answer, (body, _) in zip(answers, cases.values(), strict=False):
            answer.body, answer.state = body, AnswerState.SUBMITTED
        session.commit()
        ids = [a.id for a in answers]
        session.close()
    client = app.test_client()
    response = client.post("/auth/login", data={"email": seed.EDITOR_EMAIL, "password": seed.EDITOR_PASSWORD})
    assert response.status_code == 302, "the bench editor could not log in"

    results = {}
    for (name, (body, excerpt)), answer_id in zip(cases.items(), ids, strict=False):
        def review(answer_id=answer_id, excerpt=excerpt):
            reply = client.post(f"/editor/answers/{answer_id}/review", data={"decision": "approve", "excerpt": excerpt})
            assert reply.status_code == 302, f"the review was refused: {reply.status_code}"

        review()  # warm up templates and caches
        check = _median_seconds(lambda body=body, excerpt=excerpt: check_excerpt(body, excerpt), requests)
        results[name] = (check, _median_seconds(review, requests), len(body), excerpt.count(ELLIPSIS))
    print(f"(f) excerpt check, median of {requests} each (Flask test client, SQLite file)")
    for name, (check, request, chars, cuts) in results.items():
        print(f"    {name:10} answer {chars:6,} chars, {cuts:5,} cuts: check {check * 1000:7.1f} ms, "
              f"review request {request * 1000:7.1f} ms")
    ratio = results["size limit"][1] / results["ordinary"][1]
    verdict = "meets target" if ratio <= TARGET else "MISSES target"
    print(f"    ratio size limit/ordinary review request {ratio:.2f}   (target <= {TARGET}: {verdict})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=30)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="curation-bench-") as tmp:
        excerpt_check(Path(tmp), options.requests)


if __name__ == "__main__":
    main()
