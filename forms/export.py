"""Forms as JSON Schema, for the UI and for other systems (apispec's marshmallow converter)."""
from __future__ import annotations

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from engine import registry
from engine.errors import NotFound

_plugin = MarshmallowPlugin()
APISpec("alur-forms", "1", "3.1.0", plugins=[_plugin])


def json_schema(name: str, lang: str = "id") -> dict:
    """The JSON Schema of form ``name``; titles in Bahasa Indonesia, or English with ``lang="en"``."""
    schema = registry.get_form(name)
    if schema is None:
        raise NotFound(f"Formulir \"{name}\" tidak ada. / Form \"{name}\" does not exist.")
    out = _plugin.converter.schema2jsonschema(schema)
    out["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    out["title"] = name
    if type(schema).__doc__:
        out["description"] = type(schema).__doc__.strip()
    if lang == "en":
        _english(out)
    return out


def _english(node) -> None:
    if isinstance(node, dict):
        for key in ("title", "description"):
            english = node.get(f"x-{key}-en")
            if english:
                node[key] = english
        for value in node.values():
            _english(value)
    elif isinstance(node, list):
        for value in node:
            _english(value)
