"""A user-task form, drawn from its JSON Schema (``forms.export``) and read back from the posted fields.

The schema says everything the page needs: ``title`` (Bahasa Indonesia; ``x-title-en`` in English),
``type``/``format`` (``x-document`` = an uploaded scan), ``enum``, limits, ``x-widget`` (``textarea``,
``radio``, ``select``, ``password``). Whatever the browser sends is turned into the JSON types the
schema wants where that is unambiguous, and otherwise passed as it is, so the form's own marshmallow
schema (the one the engine validates with) gives the messages beside the fields.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

DOCUMENT = "x-document"


@dataclass
class Field:
    name: str
    title: str
    kind: str  # text, textarea, password, email, date, datetime, integer, number, boolean, select, radio,
    #            document, documents, lines, json
    required: bool
    description: str = ""
    options: list[tuple[str, str]] = field(default_factory=list)
    value: object = None
    errors: list[str] = field(default_factory=list)
    attrs: dict = field(default_factory=dict)  # maxlength, minlength, min, max, pattern


def _kind(prop: dict) -> str:
    widget = prop.get("x-widget")
    kind, fmt = prop.get("type"), prop.get("format")
    if fmt == DOCUMENT:
        return "document"
    if kind == "array" and (prop.get("items") or {}).get("format") == DOCUMENT:
        return "documents"
    if "enum" in prop:
        return "radio" if widget == "radio" else "select"
    if kind == "boolean":
        return "boolean"
    if kind == "integer":
        return "integer"
    if kind == "number":
        return "number"
    if kind == "array":
        return "lines"
    if kind == "object":
        return "json"
    if fmt == "date":
        return "date"
    if fmt == "date-time":
        return "datetime"
    if fmt == "email":
        return "email"
    if widget in ("textarea", "password"):
        return widget
    return "text"


def fields_of(schema: dict, values: dict | None = None, errors: dict | None = None) -> list[Field]:
    values, errors = values or {}, errors or {}
    required = set(schema.get("required", []))
    out = []
    for name, prop in (schema.get("properties") or {}).items():
        if prop.get("readOnly"):
            continue
        kind = _kind(prop)
        attrs = {k: prop[k] for k in ("maxLength", "minLength", "minimum", "maximum", "pattern") if k in prop}
        options = [(str(v), str(v)) for v in prop.get("enum", [])]
        value = values.get(name, prop.get("default"))
        messages = errors.get(name)
        if isinstance(messages, dict):  # nested or per-item messages
            messages = [f"{k}: {m}" for k, ms in messages.items() for m in (ms if isinstance(ms, list) else [ms])]
        out.append(Field(name, str(prop.get("title") or name), kind, name in required,
                         str(prop.get("description") or ""), options, value, list(messages or []), attrs))
    return out


def other_errors(schema: dict, errors: dict | None) -> list[str]:
    """Messages that belong to no field of the form (``_schema``, ``_documents``, unknown fields)."""
    names = set((schema.get("properties") or {}))
    out = []
    for key, messages in (errors or {}).items():
        if key in names:
            continue
        for message in messages if isinstance(messages, list) else [messages]:
            out.append(message if key.startswith("_") else f"{key}: {message}")
    return out


def parse(schema: dict, form, files, store: Callable[[object], str], timezone: str) -> tuple[dict, dict]:
    """(data for the engine, upload errors per field). ``store(file_storage)`` saves one upload and returns
    its document id, raising ``AlurError`` when the scan is refused."""
    from engine.errors import AlurError

    data, errors = {}, {}
    for prop_field in fields_of(schema):
        name, kind = prop_field.name, prop_field.kind
        try:
            if kind in ("document", "documents"):
                kept = [v for v in form.getlist(f"{name}__kept") if v]
                uploads = [f for f in files.getlist(name) if f and f.filename]
                ids = kept + [store(upload) for upload in uploads]
                if kind == "document":
                    if ids:
                        data[name] = ids[-1]
                elif ids:
                    data[name] = ids
                continue
            if kind == "boolean":
                raw = form.get(name)
                if raw in ("true", "false"):
                    data[name] = raw == "true"
                elif raw:
                    data[name] = raw
                continue
            if kind == "lines":
                lines = [line.strip() for line in form.get(name, "").splitlines() if line.strip()]
                if lines:
                    data[name] = lines
                continue
            raw = form.get(name, "")
            if raw == "":
                continue
            data[name] = _typed(kind, raw, timezone)
        except AlurError as exc:
            messages = exc.extra.get("errors", {})
            errors[name] = [m for ms in messages.values() for m in ms] if isinstance(messages, dict) and messages \
                else [exc.detail]
    return data, errors


def _typed(kind: str, raw: str, timezone: str):
    try:
        if kind == "integer":
            return int(raw)
        if kind == "number":
            return float(raw)
        if kind == "json":
            return json.loads(raw)
        if kind == "datetime":
            moment = datetime.fromisoformat(raw)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=ZoneInfo(timezone))
            return moment.isoformat()
    except ValueError:
        return raw  # the form's schema says what is wrong with it
    return raw
