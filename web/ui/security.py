"""What keeps a browser session safe.

- The session is Flask's signed cookie, ``HttpOnly``, ``SameSite=Lax`` (``Secure`` with
  ``ALUR_SECURE_COOKIES``), valid for ``ALUR_TOKEN_TTL``. Signing in clears it first, so a session
  planted before sign-in carries nothing over, and the CSRF token changes with it.
- It holds the account id and its token generation (``uid``, ``gen``): deactivating the account or
  changing its password bumps the generation, and the next request drops the session.
- Every state-changing request carries a CSRF token (Flask-WTF): a hidden ``csrf_token`` field in forms,
  or the ``X-CSRFToken`` header for scripts. API calls that authenticate with a bearer token carry no
  ambient authority and need none, nor do public API endpoints (the token endpoint, inbound hooks);
  API calls riding on the session cookie do.
- Security headers: a Content-Security-Policy without inline scripts, no framing, no sniffing.
"""
from __future__ import annotations

from datetime import timedelta

from flask import Flask, current_app, g, request, session
from flask_wtf.csrf import CSRFError, CSRFProtect

from engine.errors import AlurError

csrf = CSRFProtect()

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
       "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; "
       "object-src 'none'")
_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def init_app(app: Flask) -> None:
    app.config["SESSION_COOKIE_NAME"] = "alur_session"
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_SECURE"] = bool(app.config.get("SECURE_COOKIES"))
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(seconds=int(app.config["TOKEN_TTL"]))
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # checked below, with the bearer-token API left out
    app.config["WTF_CSRF_TIME_LIMIT"] = None  # the token lives as long as the session
    app.config["WTF_CSRF_SSL_STRICT"] = bool(app.config.get("SECURE_COOKIES"))
    # Several document scans in one form: each is still held to MAX_UPLOAD_BYTES by the document service.
    app.config["MAX_CONTENT_LENGTH"] = max(int(app.config.get("MAX_CONTENT_LENGTH") or 0),
                                           8 * int(app.config["MAX_UPLOAD_BYTES"]) + (1 << 20))
    csrf.init_app(app)
    app.before_request(_check_csrf)
    app.before_request(_drop_stale_session)
    app.after_request(_headers)
    app.register_error_handler(CSRFError, _csrf_error)


def _check_csrf():
    if request.method not in _UNSAFE:
        return None
    if request.path.startswith("/api/"):
        if request.headers.get("Authorization", "").startswith("Bearer ") or session.get("uid") is None:
            return None  # no ambient authority to forge
        if _declared(current_app.view_functions.get(request.endpoint)) == "public":
            return None  # the token endpoint, inbound hooks: they authenticate with what they carry
    csrf.protect()
    return None


def _declared(view):
    while view is not None:
        if hasattr(view, "alur_roles"):
            return view.alur_roles
        view = getattr(view, "__wrapped__", None)
    return None


def _drop_stale_session():
    """A session whose account was deactivated or whose password changed ends here, quietly."""
    if session.get("uid") is None or request.headers.get("Authorization", "").startswith("Bearer "):
        return None
    from ..auth import current_principal

    try:
        current_principal()
    except AlurError as exc:
        language = session.get("lang")
        session.clear()
        if language:
            session["lang"] = language
        g.pop("principal", None)
        g.session_ended = exc.detail
    return None


def _headers(response):
    if not request.path.startswith("/api/") or request.path == "/api/docs":
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
    if session.get("uid") is not None:
        response.headers.setdefault("Cache-Control", "no-store")
        response.vary.add("Cookie")
    return response


def _csrf_error(exc: CSRFError):
    from ..errors import _page, problem

    detail = ("Formulir kedaluwarsa atau tidak sah (token CSRF); muat ulang halaman dan kirim lagi. / "
              "The form expired or is not valid (CSRF token); reload the page and submit again.")
    return _page(400, detail) or problem(400, detail)


def sign_in_session(user_id: int, generation: int) -> None:
    """Start a fresh session for the account: everything from before (and the CSRF token) is dropped."""
    language = session.get("lang")
    session.clear()
    session.permanent = True
    session["uid"] = user_id
    session["gen"] = generation
    if language:
        session["lang"] = language
    g.pop("principal", None)


def sign_out_session() -> None:
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    g.pop("principal", None)
