"""How well the privacy check does on the labelled set in tests/privacy_cases.py,
and what it flags on the demo edition.

    python bench/privacy_check.py [-v]

Caught: a risky passage with at least one flag of a kind its label names.
False alarm: an ordinary passage with any flag at all.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from curation import demo
from curation.privacy.check import check
from tests import privacy_cases


def figures(risky, ordinary, verbose=False):
    missed = [(text, kinds) for text, kinds in risky if not {f.kind for f in check(text)} & kinds]
    alarms = [(text, check(text)) for text in ordinary if check(text)]
    if verbose:
        for text, kinds in missed:
            print(f"  missed ({', '.join(sorted(kinds))}): {text}")
        for text, flags in alarms:
            print(f"  false alarm ({', '.join(f'{f.kind}: {f.passage}' for f in flags)}): {text}")
    caught = 1 - len(missed) / len(risky) if risky else 1.0
    false_alarms = len(alarms) / len(ordinary) if ordinary else 0.0
    return caught, false_alarms


def main() -> None:
    verbose = "-v" in sys.argv
    sets = privacy_cases.SETS + [("all", privacy_cases.ALL_RISKY, privacy_cases.ALL_ORDINARY)]
    for label, risky, ordinary in sets:
        caught, alarms = figures(risky, ordinary, verbose and label != "all")
        print(f"{label}: {len(risky)} risky, {len(ordinary)} ordinary passages; "
              f"caught {caught:.0%} (target ≥ 85%), false alarms {alarms:.0%} (target ≤ 15%)")
    print("demo edition:")
    for _email, name, _credentials, _credit, body in demo.THERAPISTS:
        flags = check(body)
        print(f"  {name}: " + ("; ".join(f"{f.kind} “{f.passage}”" for f in flags) if flags else "no flags"))


if __name__ == "__main__":
    main()
