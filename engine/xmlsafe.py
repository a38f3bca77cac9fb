"""Parsing uploaded XML without letting it read files, reach the network or exhaust memory.

Refused before parsing: files over the size limit, DOCTYPE and ENTITY declarations (so no external
entity, no billion laughs, no quadratic blow-up), and compressed or binary uploads. The parser itself
never loads a DTD, resolves an entity or touches the network, keeps libxml2's own size limits
(``huge_tree=False``) and drops processing instructions. After parsing, a document type that slipped past
the byte check (a UTF-16 file, say) is refused all the same, and so are nesting deeper than the limit and
attribute values longer than any diagram needs.
"""
from __future__ import annotations

import re

from lxml import etree

from .errors import DeployRefused, PayloadTooLarge

_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
MAX_ATTRIBUTE = 10_000
_BINARY = {b"\x1f\x8b": "gzip", b"PK\x03\x04": "zip", b"BZh": "bzip2", b"\xfd7zXZ": "xz", b"(\xb5/\xfd": "zstd",
           b"7z\xbc\xaf": "7-Zip", b"%PDF": "PDF"}


def parse(data: bytes, *, max_bytes: int, max_depth: int, filename: str = "upload.bpmn") -> etree._Element:
    """Root element of ``data``; refuses DOCTYPE and entities, oversize files and deep nesting."""
    if len(data) > max_bytes:
        raise PayloadTooLarge(
            f"{filename}: {len(data)} bytes; the limit is {max_bytes} bytes. Split the file or remove "
            f"embedded content.", errors=[_err("file too large", f"Upload at most {max_bytes} bytes.", filename)])
    for magic, kind in _BINARY.items():
        if data.startswith(magic):
            raise DeployRefused(f"{filename}: a {kind} file, not XML", [_err(
                f"the upload is a {kind} file", "Upload the .bpmn XML file itself, not compressed or converted.", filename)])
    if _DOCTYPE.search(data) or _DOCTYPE.search(_as_utf8(data)):
        raise DeployRefused(f"{filename}: DOCTYPE and ENTITY declarations are not allowed", [_doctype(filename)])
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                             huge_tree=False, remove_pis=True, collect_ids=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line = getattr(exc, "lineno", None)
        raise DeployRefused(f"{filename}: not well-formed XML", [_err(
            f"XML syntax error on line {line}: {exc.msg}", "Fix the XML so that it is well-formed.", filename, line)]) from None
    if root is None:
        raise DeployRefused(f"{filename}: empty document",
                            [_err("empty document", "Upload a BPMN 2.0 file.", filename)])
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise DeployRefused(f"{filename}: DOCTYPE and ENTITY declarations are not allowed", [_doctype(filename)])
    _walk(root, max_depth, filename)
    return root


def _as_utf8(data: bytes) -> bytes:
    """The text of a UTF-16 or UTF-32 upload as UTF-8, so that the DOCTYPE check sees it too."""
    head = data[:4]
    for marks, codec in (((b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00", b"\x00\x00\x00<", b"<\x00\x00\x00"), "utf-32"),
                         ((b"\xfe\xff", b"\xff\xfe", b"\x00<", b"<\x00"), "utf-16")):
        if any(head.startswith(m) for m in marks):
            if codec == "utf-16" and not head.startswith((b"\xfe\xff", b"\xff\xfe")):
                codec = "utf-16-be" if head.startswith(b"\x00") else "utf-16-le"
            if codec == "utf-32" and not head.startswith((b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00")):
                codec = "utf-32-be" if head.startswith(b"\x00") else "utf-32-le"
            return data.decode(codec, errors="ignore").encode("utf-8")
    return b""


def _walk(root: etree._Element, max_depth: int, filename: str) -> None:
    """One pass over the tree: nesting depth, entity references and attribute sizes."""
    stack = [(root, 1)]
    while stack:
        node, level = stack.pop()
        if level > max_depth:
            raise DeployRefused(f"{filename}: XML nested deeper than {max_depth} levels", [_err(
                f"nesting deeper than {max_depth} levels", "Flatten the model; BPMN never needs this depth.",
                filename, node.sourceline)])
        if isinstance(node, etree._Entity):
            raise DeployRefused(f"{filename}: DOCTYPE and ENTITY declarations are not allowed", [_doctype(filename)])
        for name, value in node.attrib.items():
            if len(value) > MAX_ATTRIBUTE:
                raise DeployRefused(f"{filename}: an attribute {len(value)} characters long", [_err(
                    f"attribute {etree.QName(name).localname} on line {node.sourceline} is {len(value)} characters "
                    f"long (limit {MAX_ATTRIBUTE})", "Shorten it; long text belongs in documentation or a script.",
                    filename, node.sourceline)])
        stack.extend((child, level + 1) for child in node)


def _doctype(filename: str) -> dict:
    return _err("DOCTYPE or ENTITY declaration found",
                "Remove the <!DOCTYPE ...> and any <!ENTITY ...> from the file; BPMN never needs them.", filename)


def _err(message: str, fix: str, filename: str | None = None, line: int | None = None) -> dict:
    return {"element_id": None, "element_name": None, "severity": "error", "message": message, "fix": fix,
            "file": filename, "line": line}
