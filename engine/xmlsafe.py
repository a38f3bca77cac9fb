"""Parsing uploaded XML without letting it read files, reach the network or exhaust memory."""
from __future__ import annotations

import re

from lxml import etree

from .errors import DeployRefused, PayloadTooLarge

_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def parse(data: bytes, *, max_bytes: int, max_depth: int, filename: str = "upload.bpmn") -> etree._Element:
    """Root element of ``data``; refuses DOCTYPE and entities, oversize files and deep nesting."""
    if len(data) > max_bytes:
        raise PayloadTooLarge(
            f"{filename}: {len(data)} bytes; the limit is {max_bytes} bytes. Split the file or remove "
            f"embedded content.", errors=[{"element_id": None, "message": "file too large"}])
    if _DOCTYPE.search(data[:65536]) or _DOCTYPE.search(data):
        raise DeployRefused(f"{filename}: DOCTYPE and ENTITY declarations are not allowed", [_err(
            "DOCTYPE or ENTITY declaration found", "Remove the <!DOCTYPE ...> and any <!ENTITY ...> from the file.")])
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                             huge_tree=False, remove_pis=True, collect_ids=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if hasattr(exc, "lineno") else None
        raise DeployRefused(f"{filename}: not well-formed XML", [_err(
            f"XML syntax error on line {line}: {exc.msg}", "Fix the XML so that it is well-formed.")]) from None
    if root is None:
        raise DeployRefused(f"{filename}: empty document", [_err("empty document", "Upload a BPMN 2.0 file.")])
    depth = _depth(root, max_depth)
    if depth > max_depth:
        raise DeployRefused(f"{filename}: XML nested deeper than {max_depth} levels", [_err(
            f"nesting deeper than {max_depth} levels", "Flatten the model; BPMN never needs this depth.")])
    return root


def _depth(root: etree._Element, limit: int) -> int:
    deepest, stack = 0, [(root, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        if deepest > limit:
            return deepest
        stack.extend((child, level + 1) for child in node)
    return deepest


def _err(message: str, fix: str) -> dict:
    return {"element_id": None, "severity": "error", "message": message, "fix": fix}
