"""Languages: Bahasa Indonesia is the default and the source language of every string; English is the
translation (``web/ui/translations/en``). The reader picks one with the switch in the header, kept in
the session; times are shown in ``ALUR_TIMEZONE`` (WIB by default)."""
from __future__ import annotations

from datetime import datetime

from flask import Flask, session
from flask_babel import Babel, format_datetime, get_locale, lazy_gettext as _l

from engine.roles import ROLES

LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}
DEFAULT = "id"

STATES = {
    "running": _l("berjalan"), "completed": _l("selesai"), "cancelled": _l("dibatalkan"), "error": _l("galat"),
    "ready": _l("menunggu"), "waiting": _l("menunggu"),
}


def select_locale() -> str:
    chosen = session.get("lang")
    return chosen if chosen in LANGUAGES else DEFAULT


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", str(app.config.get("TIMEZONE", "Asia/Jakarta")))
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "ui/translations")
    Babel(app, locale_selector=select_locale)
    app.jinja_env.filters["when"] = when
    app.jinja_env.filters["role_name"] = role_name
    app.jinja_env.filters["state_name"] = state_name
    app.jinja_env.filters["pick"] = pick
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
    app.jinja_env.globals["current_language"] = lambda: str(get_locale() or DEFAULT)


def lang() -> str:
    """The language of the current request: ``id`` or ``en``."""
    return str(get_locale() or DEFAULT)


def when(value: datetime | None, style: str = "medium") -> str:
    """A UTC datetime in the reader's time zone and language ("12 Nov 2026 14.05")."""
    if value is None:
        return "—"
    return format_datetime(value, "d MMM yyyy HH.mm" if style == "medium" else style)


def role_name(role: str | None) -> str:
    if role not in ROLES:
        return role or "—"
    indonesian, english = ROLES[role]
    return english if lang() == "en" else indonesian


def state_name(state: str | None) -> str:
    label = STATES.get(state or "")
    return str(label) if label is not None else (state or "—")



def pick(text) -> str:
    """The reader's half of an engine message written "Bahasa Indonesia / English"."""
    if not isinstance(text, str) or " / " not in text:
        return text
    indonesian, english = text.split(" / ", 1)
    return english if lang() == "en" else indonesian
