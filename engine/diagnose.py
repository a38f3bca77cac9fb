"""The BPMN schema's and SpiffWorkflow's complaints, said as problems an analyst can act on.

The XML schema reports every violation with its line; SpiffWorkflow reports the first thing it could not
build, in its own words. Both become ``{element_id, element_name, severity, message, fix, file, line}``,
with the element found by id or by line in the uploaded file.
"""
from __future__ import annotations

import re
import threading

from lxml import etree
from SpiffWorkflow.spiff.parser.process import VALIDATOR

from .interop import BPMN_NS, CAMUNDA_NS, SPIFF_NS, ZEEBE_NS
from .lint import ERROR, label, problem

MAX_SCHEMA_PROBLEMS = 50
_schema_lock = threading.Lock()  # an lxml XMLSchema keeps one error log: one validation at a time
_PREFIXES = {BPMN_NS: "bpmn", SPIFF_NS: "spiffworkflow", CAMUNDA_NS: "camunda", ZEEBE_NS: "zeebe",
             "http://www.omg.org/spec/BPMN/20100524/DI": "bpmndi", "http://www.omg.org/spec/DD/20100524/DC": "dc",
             "http://www.omg.org/spec/DD/20100524/DI": "di"}
_SCHEMA_FIX = ("Correct the XML so that it follows the BPMN 2.0 schema: usually an element is misspelt or in the "
               "wrong place, or an attribute holds a value of the wrong kind. Opening and saving the file in "
               "bpmn.io or Camunda Modeler often repairs it.")


def schema_problems(root: etree._Element, filename: str) -> list[dict]:
    """Every violation of the BPMN 2.0 schema (with Alur's extension schema), up to a sane number."""
    VALIDATOR.preprocess(root)  # as SpiffWorkflow does: bpmn-js writes correlation expressions its own way
    with _schema_lock:
        valid = VALIDATOR.validator.validate(root)
        entries = [] if valid else list(VALIDATOR.validator.error_log)
    if not entries:
        return []
    by_line = _elements_by_line(root)
    out = []
    for entry in entries[:MAX_SCHEMA_PROBLEMS]:
        node = by_line.get(entry.line)
        found = problem(node, f"BPMN schema: {_readable(entry.message)}", _SCHEMA_FIX, ERROR, filename, entry.line)
        found["line"] = entry.line or None
        out.append(found)
    if len(entries) > MAX_SCHEMA_PROBLEMS:
        out.append(problem(None, f"… and {len(entries) - MAX_SCHEMA_PROBLEMS} more schema violations",
                           _SCHEMA_FIX, ERROR, filename))
    return out


def _elements_by_line(root) -> dict[int, etree._Element]:
    out: dict[int, etree._Element] = {}
    for node in root.iter():
        if isinstance(node.tag, str) and node.sourceline is not None:
            out.setdefault(node.sourceline, node)
    return out


def _readable(message: str) -> str:
    for uri, prefix in _PREFIXES.items():
        message = message.replace("{" + uri + "}", prefix + ":")
    expected = re.search(r"Expected is one of \((.*)\)", message)
    if expected:
        names = [n.strip() for n in expected.group(1).split(",")]
        shown = ", ".join(names[:6]) + (", …" if len(names) > 6 else "")
        message = message[:expected.start()] + f"Expected one of: {shown}."
    return message.strip()


# --- SpiffWorkflow's words, translated -----------------------------------------------------------

_TRANSLATIONS: list[tuple[re.Pattern, str, str]] = [
    (re.compile(r"RecursionError|maximum recursion depth"),
     "{what} starts a chain of elements too long for the engine to read (several hundred in a row)",
     "Split the long chain into subprocesses or a called process (call activity)."),
    (re.compile(r"No start event found"),
     "{what} has no start event", "Draw a start event and connect it to the first element."),
    (re.compile(r"Expected a (Message|Signal|Escalation|Error) node"),
     "{what} refers to a {1} that the file does not define",
     "Choose one of the file's {1}s on the event (or define one) in the modeller."),
    (re.compile(r"There is no support implemented for this task type"),
     "{what} is a kind of element Alur's engine cannot run",
     "Replace it with a task, gateway or event that Alur supports (see docs/analysts.md)."),
    (re.compile(r"Unsupported Catch Event"),
     "{what} waits for a trigger Alur's engine does not support",
     "Use a timer, message, signal, error, escalation or conditional event."),
    (re.compile(r"Cannot resolve data(Input|Output)Association"),
     "{what} has a data association to a data object that is not in the file",
     "Delete the dangling data association (its arrow), or draw the data object again and reconnect it."),
    (re.compile(r"Correlation|correlation"),
     "{what}: a message correlation is incomplete ({0})",
     "Complete the correlation properties of the message (each needs a retrieval expression per message)."),
    (re.compile(r"Cancel Events may only be used with transactions"),
     "{what} is a cancel event outside a transaction", "Put it on a transaction subprocess, or use an error event."),
    (re.compile(r"loopMaximum or loopCondition"),
     "{what} loops without a loop condition or a maximum", "Set loopMaximum, or a loop condition."),
]
_GENERIC_FIX = ("Correct this element in the modeller; the engine's own words are quoted above. "
                "docs/analysts.md lists what Alur's engine supports.")


def engine_problem(exc: Exception, roots: dict[str, etree._Element], filename: str, process_id: str | None) -> dict:
    """A SpiffWorkflow exception (or any failure while building the spec) as a problem on its element."""
    raw = str(exc).split("\n")[0].strip().rstrip(".").strip()
    file_name = getattr(exc, "file_name", None) or filename
    element_id = getattr(exc, "id", None) or None
    node = _find(roots.get(file_name) if file_name in roots else roots.get(filename), element_id) \
        if element_id else None
    if node is None and process_id:
        node = _find(roots.get(filename), process_id)
    what = label(node) if node is not None else (f"process {process_id}" if process_id else "the diagram")
    message, fix = f"{what}: {raw} (reported by the engine)", _GENERIC_FIX
    for pattern, text, advice in _TRANSLATIONS:
        match = pattern.search(raw)
        if match:
            groups = [raw, *(g.lower() for g in match.groups() if g)]
            message = text.replace("{what}", what)
            for i, value in enumerate(groups):
                message = message.replace("{%d}" % i, value)
                advice = advice.replace("{%d}" % i, value)
            fix = advice
            break
    found = problem(node, message, fix, ERROR, file_name)
    if node is None:
        found["element_id"] = element_id
    return found


def _find(root, element_id: str | None):
    if root is None or not element_id:
        return None
    for node in root.iter():
        if isinstance(node.tag, str) and node.get("id") == element_id:
            return node
    return None
