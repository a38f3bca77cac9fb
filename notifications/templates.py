"""Notification templates: files in ``workflows/notifications/`` (Bahasa Indonesia and English), which an
authorised user may override in the app without touching code. Rendered by Jinja2's sandbox with the case
data, personal numbers masked.
"""
from __future__ import annotations

import re
import threading
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from jinja2 import ChainableUndefined, TemplateError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy import bindparam, select

from engine.models import NotificationTemplate
from webhooks.privacy import masked

ROOT = Path(__file__).resolve().parent.parent
NAME = re.compile(r"^[a-z0-9][a-z0-9_]{0,63}$")
MAX_OUTPUT = 100_000
FIELDS = ("subject", "body", "subject_en", "body_en")


@dataclass(frozen=True)
class Template:
    name: str
    subject: str
    body: str
    subject_en: str
    body_en: str
    source: str  # "file" or "database"


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    subject_en: str
    body_en: str

    def email_text(self) -> str:
        """Bahasa Indonesia first, English below: one message for every reader."""
        return f"{self.body.rstrip()}\n\n-- English --\n\n{self.subject_en}\n\n{self.body_en.rstrip()}\n"


class TemplateProblem(Exception):
    """A template that is missing or does not render; ``errors`` maps each field to what to fix."""

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.errors = errors or {}


class _Sandbox(SandboxedEnvironment):
    """Jinja2's sandbox, but an attempt at an internal attribute fails loudly instead of rendering empty."""

    def unsafe_undefined(self, obj, attribute):
        raise SecurityError(f"access to attribute {attribute!r} of a {type(obj).__name__} is not allowed")


_env = _Sandbox(undefined=ChainableUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True,
                keep_trailing_newline=False)
_lock = threading.Lock()


@lru_cache(maxsize=512)
def _compiled(source: str):
    with _lock:
        return _env.from_string(source)


def folder(config: dict) -> Path:
    return Path(str(config.get("NOTIFICATION_TEMPLATE_DIR") or "") or ROOT / "workflows" / "notifications")


def from_file(path: Path) -> Template:
    """The template in ``path``, parsed once per version of the file (an edit on disk is seen at once)."""
    try:
        stat = path.stat()
    except OSError:
        stat = None
    if stat is None:
        return _parse_file(path, None)
    return _parse_file(path, (stat.st_mtime_ns, stat.st_size, stat.st_ino))


@lru_cache(maxsize=256)
def _parse_file(path: Path, identity) -> Template:
    try:
        parsed = tomllib.loads(path.read_text(encoding="utf-8"))
        return Template(path.stem, parsed["id"]["subject"], parsed["id"]["body"], parsed["en"]["subject"],
                        parsed["en"]["body"], "file")
    except (OSError, KeyError, TypeError, tomllib.TOMLDecodeError) as exc:
        raise TemplateProblem(f"template file {path.name} is unreadable: {type(exc).__name__}: {exc}; it needs "
                              f"[id] subject/body and [en] subject/body") from None


def file_templates(config: dict) -> dict[str, Path]:
    """The template files of the folder, listed again only when the folder changes (a file added or removed)."""
    where = folder(config)
    try:
        changed = where.stat().st_mtime_ns
    except OSError:
        changed = None
    return dict(_listing(where, changed))


@lru_cache(maxsize=16)
def _listing(where: Path, changed) -> tuple[tuple[str, Path], ...]:
    return tuple((p.stem, p) for p in sorted(where.glob("*.toml")) if NAME.match(p.stem))


_EDITED = select(*(getattr(NotificationTemplate, c) for c in ("subject", "body", "subject_en", "body_en"))
                 ).where(NotificationTemplate.name == bindparam("name"))


def load(session, config: dict, name: str) -> Template:
    """The template ``name``: the one edited in the app if there is one, else the file."""
    row = session.connection().execute(_EDITED, {"name": name}).first()
    if row is not None:
        return Template(name, row.subject, row.body, row.subject_en, row.body_en, "database")
    path = file_templates(config).get(name)
    if path is None:
        raise TemplateProblem(f"Templat notifikasi \"{name}\" tidak ada. / Notification template \"{name}\" does not "
                              f"exist: add workflows/notifications/{name}.toml or create it in the app.")
    return from_file(path)


def all_templates(session, config: dict) -> list[Template]:
    found = {name: from_file(path) for name, path in file_templates(config).items()}
    for row in session.scalars(select(NotificationTemplate)):
        found[row.name] = Template(row.name, row.subject, row.body, row.subject_en, row.body_en, "database")
    return [found[name] for name in sorted(found)]


def render(template: Template, context: dict) -> Rendered:
    """Render every part with the context, personal numbers masked; ``TemplateProblem`` names the part."""
    safe = masked(context)
    out, errors = {}, {}
    for field in FIELDS:
        try:
            text = _compiled(getattr(template, field)).render(safe)
        except TemplateError as exc:
            line = getattr(exc, "lineno", None)
            errors[field] = [f"{type(exc).__name__}: {exc}" + (f" (line {line})" if line else "")]
            continue
        text = masked(text)[:MAX_OUTPUT]  # a number built inside the template is masked too
        out[field] = re.sub(r"\s+", " ", text).strip() if field.startswith("subject") else text
    if errors:
        raise TemplateProblem(f"Templat \"{template.name}\" gagal dirender. / Template \"{template.name}\" failed to "
                              f"render.", errors)
    return Rendered(out["subject"], out["body"], out["subject_en"], out["body_en"])


def check(parts: dict[str, str]) -> None:
    """Refuse a template edit that does not parse or render with sample data, naming the part and line."""
    template = Template("edit", *(parts.get(f, "") for f in FIELDS), "database")
    errors = {f: ["Wajib diisi / Required"] for f in FIELDS if not (parts.get(f) or "").strip()}
    if len(parts.get("subject", "")) > 300 or len(parts.get("subject_en", "")) > 300:
        errors.setdefault("subject", []).append("Maksimal 300 karakter / At most 300 characters")
    if errors:
        raise TemplateProblem("Periksa isian yang ditandai. / Check the marked fields.", errors)
    render(template, sample_context())


def sample_context() -> dict:
    return {"kasus": {"id": 1, "proses": "contoh", "tautan": "http://alur.example/cases/1"},
            "penerima": {"nama": "Contoh Penerima", "username": "contoh"},
            "tugas": {"nama": "Periksa dokumen", "peran": "verifikator", "batas_waktu": None},
            "daftar": [], "data": {}}
