"""Reading, validating and compiling BPMN: the deploy-time half of the engine.

Every check reports the element id, what is wrong and what to change, so that an analyst can fix the
diagram in their own modeller. Standard BPMN timers written by bpmn.io or Camunda Modeler (``PT1H``,
``R/P1D``, an ISO date) are accepted as they are: SpiffWorkflow wants Python expressions there, so the
literal is quoted while compiling; the stored bytes stay exactly what was uploaded.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from . import registry, sandbox, xmlsafe
from .roles import ROLES, STAFF

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS}
_ISO_TIMER = re.compile(
    r"^\s*(R\d*/[^\s]+|P(?=\d|T\d)[\dYMWDTHS.,]+|\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?)\s*$",
    re.IGNORECASE)


@dataclass(frozen=True)
class Document:
    filename: str
    sha256: str
    data: bytes
    root: etree._Element = field(compare=False, repr=False)


@dataclass(frozen=True)
class ProcessInfo:
    process_id: str
    name: str
    starter_roles: tuple[str, ...]
    calls: tuple[str, ...]  # process ids of call activities
    schedule: "Schedule | None" = None


@dataclass(frozen=True)
class Schedule:
    """The timer of a process's start event: the worker starts one instance per occurrence."""

    kind: str  # "cycle", "date" or "duration"
    expression: str  # ISO 8601 as written in the diagram (R/2026-01-01T07:00:00+07:00/P1D, a date, PT1H)
    element_id: str


@dataclass(frozen=True)
class ElementInfo:
    """What the rest of Alur needs to know about one diagram element, without SpiffWorkflow objects."""

    element_id: str
    name: str
    kind: str
    lane: str | None
    form: str | None
    pasal: str | None
    handler: str | None
    due: str | None  # ISO 8601 duration from the extension property ``due``


@dataclass
class Bundle:
    """A compiled process version: its spec, the specs it calls, and the facts about its elements."""

    process_id: str
    model_hash: str
    spec: object
    subprocess_specs: dict
    elements: dict[str, ElementInfo]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read(data: bytes, filename: str, *, max_bytes: int, max_depth: int) -> Document:
    root = xmlsafe.parse(data, max_bytes=max_bytes, max_depth=max_depth, filename=filename)
    if etree.QName(root).localname != "definitions" or etree.QName(root).namespace != BPMN_NS:
        from .errors import DeployRefused

        raise DeployRefused(f"{filename}: not a BPMN 2.0 file", [_error(
            None, f"root element is <{etree.QName(root).localname}>",
            f"Upload a BPMN 2.0 XML file whose root is <definitions xmlns=\"{BPMN_NS}\">.")])
    return Document(filename, sha256(data), data, root)


def _compiled_copy(doc: Document) -> etree._Element:
    """A copy of the tree made ready to run.

    ISO 8601 timer literals are quoted as Python strings. A process whose start event has a timer is a
    *schedule*: the worker starts one instance per occurrence (``schedule_of``), so each instance begins
    at that occurrence. Its start event therefore runs as a plain start event; otherwise every instance
    would wait for the timer again, and a cycle would loop inside one instance for ever.
    """
    root = etree.fromstring(etree.tostring(doc.root))
    for process in root.iterfind("bpmn:process", NS):
        for start in process.iterfind("bpmn:startEvent", NS):
            for timer in start.iterfind("bpmn:timerEventDefinition", NS):
                start.remove(timer)
    for tag in ("timeDuration", "timeDate", "timeCycle"):
        for node in root.iter(f"{{{BPMN_NS}}}{tag}"):
            text = (node.text or "").strip()
            if _ISO_TIMER.match(text):
                node.text = repr(text)
    return root


def schedule_of(process: etree._Element) -> Schedule | None:
    """The timer on the process's own start event, if it has one (event subprocesses do not count)."""
    for start in process.iterfind("bpmn:startEvent", NS):
        for timer in start.iterfind("bpmn:timerEventDefinition", NS):
            for tag, kind in (("timeCycle", "cycle"), ("timeDate", "date"), ("timeDuration", "duration")):
                node = timer.find(f"bpmn:{tag}", NS)
                if node is not None and (node.text or "").strip():
                    return Schedule(kind, node.text.strip(), start.get("id"))
            return Schedule("none", "", start.get("id"))
    return None


def _error(element_id, message, fix, severity="error", filename=None, line=None) -> dict:
    return {"element_id": element_id, "severity": severity, "message": message, "fix": fix,
            "file": filename, "line": line}


def _from_validation(exc: ValidationException, filename: str) -> dict:
    message = str(exc).split("\n")[0]
    fix = "Correct the element so that it follows BPMN 2.0."
    if "isExecutable" in message:
        fix = "Set isExecutable=\"true\" on the process."
    return _error(exc.id or None, message, fix, filename=exc.file_name or filename,
                  line=exc.line_number or None)


def make_parser(documents: list[Document]) -> tuple[SpiffBpmnParser, list[dict]]:
    parser = SpiffBpmnParser(validator=VALIDATOR)
    errors: list[dict] = []
    for doc in documents:
        try:
            parser.add_bpmn_xml(_compiled_copy(doc), filename=doc.filename)
        except ValidationException as exc:
            errors.append(_from_validation(exc, doc.filename))
        except etree.LxmlError as exc:
            errors.append(_error(None, f"schema validation: {exc}", "Make the file valid BPMN 2.0.",
                                 filename=doc.filename))
    return parser, errors


def executable_processes(doc: Document) -> list[etree._Element]:
    return [p for p in doc.root.iterfind("bpmn:process", NS) if p.get("isExecutable", "false") == "true"]


def compile_process(parser: SpiffBpmnParser, process_id: str, model_hash: str) -> Bundle:
    spec = parser.get_spec(process_id)
    subprocess_specs = parser.get_subprocess_specs(process_id)
    elements: dict[str, ElementInfo] = {}
    for each in [spec, *subprocess_specs.values()]:
        if each is None:
            continue
        for task_spec in each.task_specs.values():
            if task_spec.bpmn_id is None:
                continue
            elements.setdefault(task_spec.bpmn_id, _element_info(task_spec))
    return Bundle(process_id, model_hash, spec, subprocess_specs, elements)


def _element_info(task_spec) -> ElementInfo:
    props = (getattr(task_spec, "extensions", None) or {}).get("properties", {}) or {}
    lane = task_spec.lane.strip() if task_spec.lane else None
    return ElementInfo(
        element_id=task_spec.bpmn_id,
        name=task_spec.bpmn_name or task_spec.bpmn_id,
        kind=type(task_spec).__name__,
        lane=lane,
        form=props.get("form"),
        pasal=props.get("pasal"),
        handler=getattr(task_spec, "operation_name", None),
        due=props.get("due"),
    )


def analyse(documents: list[Document], context: list[Document] = ()) -> tuple[list[ProcessInfo], list[dict]]:
    """Processes the new ``documents`` define, and every problem found (errors and warnings).

    ``context`` holds already-deployed documents whose processes the new ones may call.
    """
    problems: list[dict] = []
    for doc in documents:
        if not executable_processes(doc):
            ids = [p.get("id") for p in doc.root.iterfind("bpmn:process", NS)]
            problems.append(_error(
                ids[0] if ids else None,
                f"{doc.filename}: no executable process (isExecutable=\"true\") in the file",
                "Mark the process to be run with isExecutable=\"true\"; descriptive models cannot be deployed.",
                filename=doc.filename))
    if problems:
        return [], problems
    parser, problems = make_parser([*documents, *[c for c in context if c.sha256 not in
                                                   {d.sha256 for d in documents}]])
    if problems:
        return [], problems
    infos: list[ProcessInfo] = []
    for doc in documents:
        for process in executable_processes(doc):
            pid = process.get("id")
            try:
                bundle = compile_process(parser, pid, doc.sha256)
            except ValidationException as exc:
                problems.append(_from_validation(exc, doc.filename))
                continue
            except SpiffWorkflowException as exc:
                problems.append(_error(pid, str(exc), "Correct the process definition.", filename=doc.filename))
                continue
            problems.extend(_check_bundle(bundle, doc.filename))
            schedule = schedule_of(process)
            problems.extend(_check_schedule(schedule, doc.filename))
            infos.append(ProcessInfo(pid, process.get("name") or pid, _starter_roles(process, bundle),
                                     tuple(sorted(k for k in bundle.subprocess_specs)), schedule))
    return infos, problems


def _starter_roles(process: etree._Element, bundle: Bundle) -> tuple[str, ...]:
    """Who may start the process: the property ``starter_roles`` if given, else the start event's lane."""
    for prop in process.iterfind("bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", NS):
        if prop.get("name") == "starter_roles":
            return tuple(r.strip() for r in prop.get("value", "").split(",") if r.strip())
    lanes = {e.lane for e in bundle.elements.values() if e.kind == "StartEvent" and e.lane}
    return tuple(sorted(lanes)) if lanes else tuple(sorted(STAFF))


def _check_bundle(bundle: Bundle, filename: str) -> list[dict]:
    problems: list[dict] = []
    known = ", ".join(ROLES)
    for each in [bundle.spec, *bundle.subprocess_specs.values()]:
        if each is None:
            continue
        for task_spec in each.task_specs.values():
            if task_spec.bpmn_id is None:
                continue
            problems.extend(_check_task(task_spec, filename, known))
    return problems


def _check_task(task_spec, filename: str, known_roles: str) -> list[dict]:
    out: list[dict] = []
    eid = task_spec.bpmn_id
    info = _element_info(task_spec)

    def add(message, fix, severity="error"):
        out.append(_error(eid, message, fix, severity, filename))

    if info.lane is not None and info.lane not in ROLES:
        add(f"lane \"{info.lane}\" is not a role of Alur", f"Name the lane with one of the role ids: {known_roles}.")
    if task_spec.manual and info.form and registry.get_form(info.form) is None:
        add(f"form \"{info.form}\" does not exist",
            f"Use one of the registered forms ({', '.join(registry.form_names()) or 'none'}) or remove the property.")
    if task_spec.manual and not info.pasal:
        add("user task carries no `pasal` property",
            "Add <spiffworkflow:property name=\"pasal\" value=\"...\"/> naming the obligation it carries out.",
            "warning")
    if info.handler is not None and registry.get_handler(info.handler) is None:
        add(f"service handler \"{info.handler}\" is not registered",
            f"Use one of: {', '.join(registry.handler_names()) or 'none registered'}.")
    for label, source, mode in _code_of(task_spec):
        try:
            sandbox.check(source, mode)
        except sandbox.ScriptError as exc:
            out.append(_error(eid, f"{label}: {exc}", "Rewrite it with the functions listed in docs/scripting.md; "
                              "names and attributes beginning with _ , imports, and eval/exec/open are refused.",
                              filename=filename, line=exc.line))
    out.extend(_check_timer(task_spec, filename))
    return out


def _code_of(task_spec):
    """Every piece of user-authored code on the element: (label, source, compile mode)."""
    if getattr(task_spec, "script", None):
        yield "script", task_spec.script, "exec"
    for attr in ("prescript", "postscript"):
        if getattr(task_spec, attr, None):
            yield attr, getattr(task_spec, attr), "exec"
    for condition, _target in getattr(task_spec, "cond_task_specs", []) or []:
        if condition is not None and getattr(condition, "args", None):
            yield "condition", condition.args[0], "eval"
    for param in (getattr(task_spec, "operation_params", None) or {}).values():
        yield "service parameter", param["value"], "eval"
    for attr in ("condition", "cardinality", "data_input"):
        value = getattr(task_spec, attr, None)
        if isinstance(value, str) and value:
            yield attr, value, "eval"
    definition = getattr(task_spec, "event_definition", None)
    if definition is not None and isinstance(getattr(definition, "expression", None), str) \
            and not isinstance(definition, TimerEventDefinition):
        yield "condition", definition.expression, "eval"


def _check_schedule(schedule: Schedule | None, filename: str) -> list[dict]:
    if schedule is None:
        return []
    fix = ("Give the start timer an ISO 8601 value: a cycle such as R/2026-01-01T07:00:00+07:00/P1D (every day "
           "at 07:00), a date-time, or a duration.")
    text = schedule.expression.strip()
    if text.startswith(("'", '"')):
        text = text.strip("'\"")
    try:
        if schedule.kind == "cycle":
            TimerEventDefinition.parse_iso_recurring_interval(text)
        elif schedule.kind == "date":
            TimerEventDefinition.get_datetime(text)
        elif schedule.kind == "duration":
            TimerEventDefinition.parse_iso_duration(text)
        else:
            raise ValueError("no time given")
    except Exception:  # noqa: BLE001 - any parse failure is the analyst's to fix
        return [_error(schedule.element_id, f"start timer \"{schedule.expression}\" is not a valid ISO 8601 "
                       f"{schedule.kind}", fix, filename=filename)]
    return []


def _check_timer(task_spec, filename: str) -> list[dict]:
    definition = getattr(task_spec, "event_definition", None)
    if not isinstance(definition, TimerEventDefinition):
        return []
    expression = definition.expression
    try:
        value = sandbox.evaluate(expression, {})
    except sandbox.ScriptError:
        return []  # depends on case data; checked when the timer is reached
    try:
        if not isinstance(value, str):
            raise ValueError("not a string")
        kind = type(definition).__name__
        if kind.startswith("Cycle"):
            TimerEventDefinition.parse_iso_recurring_interval(value)
        elif kind.startswith("Duration"):
            TimerEventDefinition.parse_iso_duration(value)
        else:
            TimerEventDefinition.parse_time_or_duration(value)
    except Exception:  # noqa: BLE001 - any parse failure is the analyst's to fix
        return [_error(task_spec.bpmn_id, f"timer \"{expression}\" is not a valid ISO 8601 value",
                       "Write a duration (PT1H, P1D), a date-time (2026-12-01T07:00:00+07:00) or a cycle "
                       "(R/P1D, R/2026-01-01T07:00:00+07:00/P1D).", filename=filename)]
    return []
