"""Hostile and broken uploads, shared by tests/test_hostile_uploads.py and benchmarks/hostile_uploads.py.

Each entry: (name, bytes, expected HTTP status, a word the problem must contain). ``{canary}`` in a payload
is replaced by the URL of a local HTTP server that counts requests: none may ever arrive.
"""
from __future__ import annotations

import gzip
from functools import lru_cache

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
HEAD = f'<definitions xmlns="{BPMN_NS}" id="d" targetNamespace="x">'


def _laughs() -> str:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{"".join(f"&lol{i - 1};" for _ in range(10))}">' for i in range(1, 10)]
    return f'<?xml version="1.0"?><!DOCTYPE definitions [{"".join(entities)}]>{HEAD}<documentation>&lol9;' \
           f'</documentation></definitions>'


def _quadratic() -> str:
    blob = "A" * 50_000
    refs = "&a;" * 30_000
    return f'<?xml version="1.0"?><!DOCTYPE definitions [<!ENTITY a "{blob}">]>{HEAD}<documentation>{refs}' \
           f'</documentation></definitions>'


@lru_cache(maxsize=1)
def _gzip_bomb() -> bytes:
    """About 100 KB that inflate to 100 MB of XML."""
    return gzip.compress(b"<definitions>" + b" " * 100_000_000 + b"</definitions>", compresslevel=9)


def payloads(canary: str, max_bytes: int) -> list[tuple[str, bytes, int, str]]:
    deep = "<documentation>" * 60_000 + "</documentation>" * 60_000
    return [
        ("xxe-file", (f'<?xml version="1.0"?><!DOCTYPE definitions [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                      f'{HEAD}<documentation>&x;</documentation></definitions>').encode(), 422, "DOCTYPE"),
        ("xxe-network", (f'<?xml version="1.0"?><!DOCTYPE definitions [<!ENTITY x SYSTEM "{canary}/entity">]>'
                         f'{HEAD}<documentation>&x;</documentation></definitions>').encode(), 422, "DOCTYPE"),
        ("xxe-parameter-entity", (f'<?xml version="1.0"?><!DOCTYPE definitions [<!ENTITY % p SYSTEM '
                                  f'"{canary}/dtd"> %p;]>{HEAD}</definitions>').encode(), 422, "DOCTYPE"),
        ("external-dtd", f'<?xml version="1.0"?><!DOCTYPE definitions SYSTEM "{canary}/dtd">{HEAD}</definitions>'
         .encode(), 422, "DOCTYPE"),
        ("billion-laughs", _laughs().encode(), 422, "DOCTYPE"),
        ("quadratic-blowup", _quadratic().encode(), 422, "DOCTYPE"),
        ("billion-laughs-utf16", _laughs().replace('version="1.0"', 'version="1.0" encoding="UTF-16"')
         .encode("utf-16"), 422, "DOCTYPE"),
        ("doctype-lowercase-spaced", f'<?xml version="1.0"?><! doctype definitions>{HEAD}</definitions>'.encode(),
         422, "DOCTYPE"),
        ("xinclude", (f'<definitions xmlns="{BPMN_NS}" xmlns:xi="http://www.w3.org/2001/XInclude" id="d" '
                      f'targetNamespace="x"><xi:include href="{canary}/xinclude" parse="text"/></definitions>')
         .encode(), 422, "schema"),
        ("schema-location", (f'<definitions xmlns="{BPMN_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                             f'xsi:schemaLocation="{BPMN_NS} {canary}/xsd" id="d" targetNamespace="x">'
                             f'<process id="p" isExecutable="false"/></definitions>').encode(), 422, "descriptive"),
        ("stylesheet-pi", (f'<?xml version="1.0"?><?xml-stylesheet type="text/xsl" href="{canary}/xsl"?>{HEAD}'
                           f'<process id="p" isExecutable="false"/></definitions>').encode(), 422, "descriptive"),
        ("huge-file", b"<definitions>" + b" " * (max_bytes + 10) + b"</definitions>", 413, "limit"),
        ("deep-nesting", f"{HEAD}{'<documentation>' * 200}{'</documentation>' * 200}</definitions>".encode(), 422,
         "deeper"),
        ("very-deep-nesting", f"{HEAD}{deep}</definitions>".encode(), 422, "depth"),
        ("huge-attribute", f'<definitions xmlns="{BPMN_NS}" id="d" name="{"x" * 1_000_000}" targetNamespace="x"/>'
         .encode(), 422, "attribute"),
        ("many-elements", (HEAD + '<process id="p">' + "".join(f'<task id="t{i}"/>' for i in range(20_000))
                           + "</process></definitions>").encode(), 422, "elements"),
        ("not-xml", b"\x00\x01\x02binary garbage \xff\xfe" * 100, 422, "well-formed"),
        ("empty", b"", 422, "XML"),
        ("plain-text", b"hello, this is not a diagram", 422, "well-formed"),
        ("wrong-root-html", b"<html><body>hi</body></html>", 422, "not a BPMN"),
        ("wrong-root-svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>', 422, "not a BPMN"),
        ("bpmn-without-namespace", b'<definitions id="d"><process id="p"/></definitions>', 422, "not a BPMN"),
        ("gzip-bomb", _gzip_bomb(), 422, "gzip"),
        ("unclosed", f"{HEAD}<process id='p'>".encode(), 422, "well-formed"),
    ]
