"""Pages every visitor shares: sign in and out, the language switch, the home page."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _, lazy_gettext as _l

from engine.errors import Forbidden, TooManyRequests, Unauthorized
from engine.services import signin

from ..auth import current_principal, public, roles
from ..extensions import database
from . import i18n, nav

bp = Blueprint("ui", __name__, template_folder="templates", static_folder="static", static_url_path="/ui/static")

nav.add("ui.dashboard", _l("Beranda"), order=0)


def safe_next(target: str | None, default: str) -> str:
    """Only a path on this site (never ``//host`` or ``https://host``) may be a redirect target."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


@bp.route("/masuk", methods=["GET", "POST"])
@public
def login():
    next_url = request.values.get("next")
    if request.method == "GET":
        if current_principal() is not None:
            return redirect(safe_next(next_url, url_for("ui.home")))
        return render_template("login.html", next=next_url)
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    try:
        principal = signin.sign_in(database(), username, password, request.remote_addr, current_app.config)
    except TooManyRequests as exc:
        return render_template("login.html", next=next_url, username=username, error=_(
            "Terlalu banyak percobaan yang gagal. Coba lagi dalam %(seconds)s detik.", seconds=exc.retry_after)), \
            429, {"Retry-After": str(exc.retry_after)}
    except Forbidden:
        return render_template("login.html", next=next_url, username=username,
                               error=_("Akun ini dinonaktifkan.")), 403
    except Unauthorized:
        return render_template("login.html", next=next_url, username=username,
                               error=_("Nama pengguna atau kata sandi salah.")), 401
    from .security import sign_in_session

    sign_in_session(principal.user_id, signin.generation(database(), principal.user_id))
    return redirect(safe_next(next_url, url_for("ui.home")))


@bp.route("/keluar", methods=["POST"])
@public
def logout():
    from .security import sign_out_session

    sign_out_session()
    flash(_("Anda telah keluar."), "info")
    return redirect(url_for("ui.login"))


@bp.route("/bahasa", methods=["POST"])
@public
def language():
    chosen = request.form.get("lang", "")
    if chosen in i18n.LANGUAGES:
        session["lang"] = chosen
    return redirect(safe_next(request.form.get("next"), url_for("ui.home")))


@bp.route("/")
@public
def home():
    principal = current_principal()
    if principal is None:
        return render_template("welcome.html")
    return redirect(url_for(start_page(principal)))


@bp.route("/beranda")
@roles()
def dashboard():
    return render_template("home.html")


# Where each role lands after signing in; page modules may change it with ``set_start_page``.
START_PAGES: dict[str, str] = {}


def set_start_page(role: str, endpoint: str) -> None:
    START_PAGES[role] = endpoint


def start_page(principal) -> str:
    for role in sorted(principal.roles):
        if role in START_PAGES:
            return START_PAGES[role]
    return "ui.dashboard"


@bp.route("/api/docs")
@public
def api_docs():
    """The OpenAPI document, browsable (swagger-ui-dist from the npm registry, served under /vendor/)."""
    return render_template("api_docs.html")
