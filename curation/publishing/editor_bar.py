"""The editor's bar around a frozen page (the preview, or the public page seen by
an editor): messages and a way back, outside the snapshot's own markup, so the
stored HTML stays exactly what readers get."""
from __future__ import annotations

import re

_BODY = re.compile(r"<body[^>]*>", re.IGNORECASE)


def around(html: str, bar: str) -> str:
    """`html` with `bar` as the first thing in its body."""
    match = _BODY.search(html)
    if match is None:
        return bar + html
    return html[: match.end()] + "\n" + bar + html[match.end():]
