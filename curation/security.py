"""Security in one place: the sanitizer, text cleaning, URL checks,
role checks, passwords and response headers."""
from __future__ import annotations

import functools
import re
import unicodedata
from urllib.parse import unquote, urlsplit

from flask import abort, current_app, g, has_app_context, request
from flask_login import current_user, login_required
from markupsafe import Markup, escape
from werkzeug.exceptions import RequestEntityTooLarge, SecurityError
from werkzeug.security import check_password_hash, generate_password_hash

from curation.models import Role
from curation.text import clean_line, clean_text, one_line  # noqa: F401  (the forms' filters)

# The smallest useful set for the few fields that allow markup (intro, outro).
ALLOWED_TAGS = frozenset({"a", "em", "strong", "p", "br", "ul", "ol", "li", "blockquote"})
ALLOWED_ATTRIBUTES = {"a": ["href", "title"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})

# C0 controls except tab and newline: never part of a link.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _is_invisible(char: str) -> bool:
    # Cf covers zero-width spaces and joiners, bidi controls, soft hyphen.
    return unicodedata.category(char) == "Cf"


def clean(html: str, *, tags: frozenset[str] = ALLOWED_TAGS) -> str:
    """The one sanitizer. Markup-allowing fields go through it once, when saved;
    with no `tags`, only the words of some HTML are left."""
    # bleach and the html5lib it carries load on first use: most of the
    # processes that start the app (cron commands, workers) never clean markup.
    import bleach

    cleaner = bleach.Cleaner(
        tags=tags,
        attributes=_allowed_attribute,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
    )
    return cleaner.clean(html)


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    if name not in ALLOWED_ATTRIBUTES.get(tag, ()):
        return False
    if name == "href":
        return is_safe_link(value)
    return True


def is_safe_link(url: str) -> bool:
    """http, https and mailto only, judged after invisible characters are removed."""
    visible = "".join(c for c in url if not _is_invisible(c) and not c.isspace())
    visible = _CONTROL.sub("", visible)
    if visible != url.strip():
        return False
    scheme = urlsplit(visible).scheme.lower()
    return scheme in ALLOWED_PROTOCOLS


def paragraphs(text: str) -> Markup:
    """Plain text to HTML: escape, blank lines make paragraphs, newlines <br>."""
    blocks = [b.strip("\n") for b in re.split(r"\n\s*\n", text or "") if b.strip()]
    return Markup("\n").join(
        Markup("<p>{}</p>").format(Markup("<br>\n").join(escape(line) for line in block.split("\n")))
        for block in blocks
    )


def is_safe_next(target: str | None) -> bool:
    """A `?next=` target is a path on this site, never another host: also once
    more percent-decoded, as some proxies and servers do before redirecting."""
    if not target:
        return False
    return _is_local_path(target) and _is_local_path(unquote(target))


def _is_local_path(target: str) -> bool:
    if not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(_is_invisible(c) or c.isspace() or ord(c) < 32 for c in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def hash_password(password: str) -> str:
    # PASSWORD_HASH_METHOD is Werkzeug's default (scrypt) unless a test kit makes
    # hashing cheap; check_password reads the method from the stored hash.
    method = (current_app.config.get("PASSWORD_HASH_METHOD") if has_app_context() else None) or "scrypt"
    return generate_password_hash(password, method=method)


def check_password(password_hash: str, password: str) -> bool:
    return check_password_hash(password_hash, password)


MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256
# zxcvbn's scale: 3 is "safely unguessable" for an online attack, which is what
# a login (rate-limited, with a lock-out) faces.
MIN_PASSWORD_SCORE = 3
# zxcvbn estimates at most this many characters (its own limit; its time grows with length).
_ESTIMATED_CHARS = 72


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """NIST SP 800-63B: a length range and a real strength estimate (zxcvbn,
    which also knows the person's name and e-mail), no composition rules."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters. A few words you will remember work well."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Use at most {MAX_PASSWORD_LENGTH} characters."
    lowered = password.lower()
    if email and lowered == email.lower() or name and lowered == name.lower():
        return "Your password cannot be your e-mail address or name."
    personal = [email, email.split("@")[0], name, name.replace(" ", ""), *name.split()]
    from zxcvbn import zxcvbn  # its word lists take a tenth of a second to load: only when a password is set

    estimate = zxcvbn(password[:_ESTIMATED_CHARS], user_inputs=[word for word in personal if word])
    if estimate["score"] < MIN_PASSWORD_SCORE:
        warning = estimate["feedback"].get("warning") or ""
        return " ".join(
            part for part in (
                "That password is too easy to guess.",
                warning.rstrip(".") + "." if warning else "",
                "Please choose another: a few unrelated words work well.",
            ) if part
        )
    return None


def role_required(role: Role):
    """Logged in and of this role; otherwise the login page, or 403."""

    def decorator(view):
        @functools.wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role != role:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


editor_required = role_required(Role.EDITOR)
# The writing desk is for therapists: editors do not answer challenges.
therapist_required = role_required(Role.THERAPIST)


def content_security_policy(frame_ancestors: str = "'none'") -> str:
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; "
        f"frame-ancestors {frame_ancestors}"
    )


def refuse_oversized_fields() -> None:
    """A form field over MAX_FORM_MEMORY_SIZE is refused with 413, whatever the
    encoding: Werkzeug applies that limit to multipart parts only (3.1.9 on), and
    an answer that large must get the "too large, not saved" page, not a 400."""
    limit = current_app.config.get("MAX_FORM_MEMORY_SIZE")
    if not limit or request.method in ("GET", "HEAD") or (request.content_length or 0) <= limit:
        return
    if any(len(value.encode()) > limit for value in request.form.values()):
        raise RequestEntityTooLarge()


def refuse_untrusted_host() -> None:
    """First of all before-request steps: a Host outside TRUSTED_HOSTS gets the
    plain 400 before CSRF, rate limits or a login page try to build a URL."""
    if isinstance(request.routing_exception, SecurityError):
        raise request.routing_exception


def _rendered_for_someone() -> bool:
    # during a database outage nobody is looked up (errors.database_away)
    return not g.get("database_away") and current_user.is_authenticated


def add_headers(response):
    """After each request: the policy headers, and no cache for anything but
    static files and the public pages."""
    csp = response.headers.setdefault("Content-Security-Policy", content_security_policy())
    if "frame-ancestors 'none'" in csp:
        response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    # strict-origin keeps the Referer that CSRF checks need on HTTPS POSTs
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if request.endpoint == "static":
        return response
    if _rendered_for_someone():
        # the page may carry their menu, names and a CSRF token: no cache
        # but their own browser's may keep it, whatever the view said
        response.headers["Cache-Control"] = "private, no-store"
    elif request.endpoint and not request.endpoint.startswith("public."):
        response.headers.setdefault("Cache-Control", "no-store")
    return response
