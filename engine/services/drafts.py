"""Drafts: a diagram checked (and, for a dry run, compiled) without being deployed.

The checks are the deploy's own (``engine.bpmn.analyse``, with the deployed processes a draft calls as
context), so a draft that passes here deploys, and the report names each element and the fix in the
same words.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from .. import bpmn
from ..db import Database
from ..errors import DeployRefused
from . import definitions


@dataclass(frozen=True)
class Report:
    valid: bool
    processes: list[dict]
    errors: list[dict]
    warnings: list[dict]


def _limits(config: dict) -> dict:
    return {"max_bytes": int(config["MAX_BPMN_BYTES"]), "max_depth": int(config["MAX_XML_DEPTH"]),
            "max_elements": int(config["MAX_BPMN_ELEMENTS"])}


def _analysed(db: Database, xml: bytes, filename: str, config: dict):
    limits = _limits(config)
    doc = bpmn.read(xml, filename, **limits)
    limits.pop("max_elements")
    with db.reader() as session:
        context = definitions._context_documents(session, [doc], limits)
    infos, problems = bpmn.analyse([doc], context)
    return doc, context, infos, problems


def check(db: Database, xml: bytes, filename: str, config: dict) -> Report:
    """The validation report of ``xml`` as the deploy would give it; nothing is stored."""
    try:
        _doc, _context, infos, problems = _analysed(db, xml, filename, config)
    except DeployRefused as exc:
        return Report(False, [], exc.errors, [])
    errors = [p for p in problems if p["severity"] == "error"]
    return Report(not errors, [{"process_id": i.process_id, "name": i.name, "starter_roles": list(i.starter_roles)}
                               for i in infos], errors, [p for p in problems if p["severity"] != "error"])


_cache: OrderedDict[tuple[str, str], bpmn.Bundle] = OrderedDict()
_lock = threading.Lock()


def compile_draft(db: Database, xml: bytes, filename: str, config: dict,
                  process_id: str | None = None) -> bpmn.Bundle:
    """The compiled spec of one process of a draft; refused with the deploy's report when it has errors."""
    key = (process_id or "", bpmn.sha256(xml))
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    doc, context, infos, problems = _analysed(db, xml, filename, config)
    errors = [p for p in problems if p["severity"] == "error"]
    if errors:
        raise DeployRefused(f"{len(errors)} problem(s) must be fixed before this diagram can run", problems)
    ids = [i.process_id for i in infos]
    chosen = process_id or (ids[0] if ids else None)
    if chosen not in ids:
        raise DeployRefused(f"the draft defines no process \"{process_id}\"", [{
            "element_id": None, "element_name": None, "severity": "error", "file": filename, "line": None,
            "message": f"the draft defines no runnable process \"{process_id}\"",
            "fix": f"Choose one of: {', '.join(ids) or 'none'}."}])
    parser, engine_errors = bpmn.make_parser([doc, *context])
    if engine_errors:
        raise DeployRefused("the draft could not be compiled", engine_errors)
    compiled = bpmn.compile_process(parser, chosen, doc.sha256)
    with _lock:
        _cache[key] = compiled
        while len(_cache) > 32:
            _cache.popitem(last=False)
    return compiled
