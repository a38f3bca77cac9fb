"""Who is calling, and the role check every route declares.

Every view is wrapped by ``roles(...)`` (or ``public``); ``tests/test_routes.py`` fails for a route that
declares neither, so no route can forget its check.
"""
from __future__ import annotations

import functools
from collections.abc import Callable

from flask import current_app, g, request, session

from engine.errors import Forbidden, Unauthorized
from engine.principal import Principal
from engine.roles import READ_ONLY, ROLES
from engine.services import accounts

from .extensions import database

ANY = frozenset(ROLES)
# Every role that may change something: all but the read-only auditor. Write routes use ``roles(*ACTORS)``.
ACTORS = tuple(role for role in ROLES if role not in READ_ONLY)


def current_principal() -> Principal | None:
    if "principal" in g:
        return g.principal
    principal = None
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        principal = accounts.principal_from_token(database(), header[7:].strip(), current_app.config["SECRET_KEY"],
                                                  int(current_app.config["TOKEN_TTL"]))
    elif session.get("uid") is not None:
        principal = accounts.principal_for(database(), session["uid"], session.get("gen"))
    g.principal = principal
    return principal


def roles(*allowed: str) -> Callable:
    """The route needs a signed-in caller holding one of ``allowed`` (no argument: any role)."""
    wanted = frozenset(allowed) or ANY

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            principal = current_principal()
            if principal is None:
                raise Unauthorized("Masuk terlebih dahulu. / Sign in first.")
            if not principal.roles & wanted:
                raise Forbidden(f"Peran Anda tidak diizinkan di sini. / Your role may not use this "
                                f"(needs one of: {', '.join(sorted(wanted))}).")
            return view(*args, **kwargs)

        wrapper.alur_roles = wanted
        return wrapper

    return decorate


def public(view):
    """The route is open to anyone (health check, sign-in, public announcements)."""
    view.alur_roles = "public"
    return view


def principal() -> Principal:
    value = current_principal()
    if value is None:  # pragma: no cover - roles() ran first
        raise Unauthorized("Sign in first.")
    return value
