"""Compressed copies of a stored page, made once at publish time, and the
choice among them for a request's Accept-Encoding."""
from __future__ import annotations

import gzip

import brotli

# Brotli's quality 11 costs about a second for a page of 200 quotes and gains
# little over 9 on HTML; 9 keeps the editor's publish quick.
BROTLI_QUALITY = 9


def gzip_bytes(text: str) -> bytes:
    # mtime=0: the same page always gives the same bytes (and the same ETag).
    return gzip.compress(text.encode(), compresslevel=9, mtime=0)


def brotli_bytes(text: str) -> bytes:
    return brotli.compress(text.encode(), mode=brotli.MODE_TEXT, quality=BROTLI_QUALITY)


def accepted(accept_encoding: str) -> set[str]:
    """The codings a client accepts (a q=0 says "not this one")."""
    codings = set()
    for part in accept_encoding.lower().split(","):
        name, _, params = part.strip().partition(";")
        q = params.strip()
        if q.startswith("q=") and q[2:].strip() in ("0", "0.", "0.0", "0.00", "0.000"):
            continue
        if name.strip():
            codings.add(name.strip())
    return codings


def best(accept_encoding: str, *, has_brotli: bool, has_gzip: bool) -> str:
    """"br", "gzip" or "" (identity): brotli when accepted, being the smaller."""
    codings = accepted(accept_encoding)
    if has_brotli and ("br" in codings or "*" in codings):
        return "br"
    if has_gzip and ("gzip" in codings or "*" in codings):
        return "gzip"
    return ""
