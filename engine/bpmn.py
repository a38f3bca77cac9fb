"""Reading, validating and compiling BPMN: the deploy-time half of the engine.

Every check reports the element id, what is wrong and what to change, so that an analyst can fix the
diagram in their own modeller, and every problem in the upload is reported at once (``analyse``).
Standard BPMN as bpmn.io or Camunda Modeler write it is read as they mean it (``engine.interop``): ISO
8601 timers (``PT1H``, ``R/P1D``, a date) are quoted while compiling, since SpiffWorkflow wants Python
expressions there; the stored bytes stay exactly what was uploaded.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from lxml import etree
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from . import diagnose, interop, lint, xmlsafe
from .interop import BPMN_NS, SPIFF_NS
from .roles import STAFF

NS = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS}


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


def read(data: bytes, filename: str, *, max_bytes: int, max_depth: int, max_elements: int | None = None) -> Document:
    """The parsed file, refused when it is not BPMN 2.0 or holds more elements than a diagram ever needs."""
    from .errors import DeployRefused

    root = xmlsafe.parse(data, max_bytes=max_bytes, max_depth=max_depth, filename=filename)
    if etree.QName(root).localname != "definitions" or etree.QName(root).namespace != BPMN_NS:
        raise DeployRefused(f"{filename}: not a BPMN 2.0 file", [_error(
            None, f"root element is <{etree.QName(root).localname}>",
            f"Upload a BPMN 2.0 XML file whose root is <definitions xmlns=\"{BPMN_NS}\">.", filename=filename)])
    if max_elements is not None:
        count = sum(1 for _ in root.iter(f"{{{BPMN_NS}}}*"))
        if count > max_elements:
            raise DeployRefused(f"{filename}: {count} BPMN elements; the limit is {max_elements}", [_error(
                None, f"the file holds {count} BPMN elements, more than the {max_elements} allowed",
                "Split the procedure into several processes joined by call activities.", filename=filename)])
    return Document(filename, sha256(data), data, root)


def compiled_copy(doc: Document, *, run_descriptive: bool = False) -> etree._Element:
    """A copy of the tree made ready to run (``interop.normalised``), with start timers taken off.

    A process whose start event has a timer is a *schedule*: the worker starts one instance per
    occurrence (``schedule_of``), so each instance begins at that occurrence. Its start event therefore
    runs as a plain start event; otherwise every instance would wait for the timer again, and a cycle
    would loop inside one instance for ever. ``run_descriptive`` marks every process executable, to
    report what else a descriptive model would need before it could run.
    """
    root = interop.normalised(doc.root)
    if run_descriptive:
        for process in root.iterfind("bpmn:process", NS):
            process.set("isExecutable", "true")
    return root


def _without_start_timers(root: etree._Element) -> etree._Element:
    for process in root.iterfind("bpmn:process", NS):
        for start in process.iterfind("bpmn:startEvent", NS):
            for timer in start.iterfind("bpmn:timerEventDefinition", NS):
                start.remove(timer)
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
    return {"element_id": element_id, "element_name": None, "severity": severity, "message": message,
            "fix": fix, "file": filename, "line": line}


def make_parser(documents: list[Document], roots: dict[str, etree._Element] | None = None
                ) -> tuple[SpiffBpmnParser, list[dict]]:
    """A SpiffWorkflow parser holding ``documents`` (``roots``: their compiled copies, by file name).

    The schema is checked separately (``diagnose.schema_problems``) so that every violation is reported,
    not only the first; the stored files that run were checked when they were deployed.
    """
    parser = SpiffBpmnParser(validator=None)
    errors: list[dict] = []
    for doc in documents:
        root = roots[doc.filename] if roots and doc.filename in roots else compiled_copy(doc)
        try:
            parser.add_bpmn_xml(_without_start_timers(root), filename=doc.filename)
        except Exception as exc:  # noqa: BLE001 - whatever the engine says becomes a problem, never a 500
            errors.append(diagnose.engine_problem(exc, {doc.filename: doc.root}, doc.filename, None))
    return parser, errors


def executable_processes(doc: Document) -> list[etree._Element]:
    """The processes of the file that run: ``isExecutable`` true or absent (see ``lint.split_processes``)."""
    return lint.split_processes(doc.root)[0]


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
        name=" ".join((task_spec.bpmn_name or task_spec.bpmn_id).split()),
        kind=type(task_spec).__name__,
        lane=lane,
        form=props.get("form"),
        pasal=props.get("pasal"),
        handler=getattr(task_spec, "operation_name", None),
        due=props.get("due"),
    )


# --- the deploy-time report ------------------------------------------------------------------------

def analyse(documents: list[Document], context: list[Document] = ()) -> tuple[list[ProcessInfo], list[dict]]:
    """Processes the new ``documents`` define, and every problem found (errors and warnings).

    ``context`` holds already-deployed documents whose processes the new ones may call. Problems are
    collected over every file and element rather than stopping at the first: the schema, then Alur's own
    checks (``engine.lint``), then whatever building the engine's spec still finds.
    """
    new = {d.sha256 for d in documents}
    context = [c for c in context if c.sha256 not in new]
    known = _known_processes([*documents, *context])
    problems: list[dict] = []
    roots: dict[str, etree._Element] = {}
    runnable: dict[str, list[etree._Element]] = {}
    for doc in documents:
        found, roots[doc.filename], runnable[doc.filename] = _check_document(doc, known)
        problems.extend(found)
    if any(p["severity"] == "error" and p["message"].startswith("BPMN schema") for p in problems):
        return [], problems
    for doc in context:
        roots[doc.filename] = compiled_copy(doc)
    parser, engine_errors = make_parser([*documents, *context], roots)
    problems.extend(_new_only(engine_errors, problems))
    infos: list[ProcessInfo] = []
    for doc in documents:
        for process in runnable[doc.filename]:
            built = _build(parser, doc, process, problems)
            if built is not None:
                infos.append(built)
    if any(p["severity"] == "error" for p in problems):
        return [], problems
    return infos, problems


def _known_processes(documents: list[Document]) -> dict[str, bool]:
    known: dict[str, bool] = {}
    for doc in documents:
        runs, descriptive = lint.split_processes(doc.root)
        known.update({p.get("id"): False for p in descriptive})
        known.update({p.get("id"): True for p in runs})
    return known


def _check_document(doc: Document, known: dict[str, bool]) -> tuple[list[dict], etree._Element, list]:
    """Schema and Alur's checks of one file; (problems, compiled copy, processes that would run)."""
    runs, descriptive = lint.split_processes(doc.root)
    problems: list[dict] = []
    if not runs:
        problems.extend(_descriptive(doc, descriptive))
    else:
        for process in descriptive:
            problems.append(lint.problem(
                process, f"{lint.label(process)} is descriptive (isExecutable=\"false\"): it is kept in "
                "the file but not deployed", "Nothing to do if it only documents a participant. To run it, set "
                "isExecutable=\"true\" (Camunda Modeler: the process's Executable checkbox).",
                lint.WARNING, doc.filename))
    root = compiled_copy(doc, run_descriptive=not runs)
    try:
        schema = diagnose.schema_problems(root, doc.filename)
    except Exception as exc:  # noqa: BLE001 - an unreadable file is a problem, never a 500
        schema = [_error(None, f"BPMN schema: the file could not be checked ({exc})",
                         "Save the file again from a BPMN 2.0 modeller.", filename=doc.filename)]
    if schema:
        return problems + schema, root, []
    ids = {p.get("id") for p in (runs or descriptive)}
    checked = [p for p in root.iterfind("bpmn:process", NS) if p.get("id") in ids]
    try:
        problems.extend(lint.check(root, doc.filename, checked, known))
        problems.extend(lint.data_stores(doc.root, doc.filename, ids))
    except Exception as exc:  # noqa: BLE001 - a check that trips on odd XML must not hide the others
        problems.append(_error(None, f"the diagram could not be checked completely: {type(exc).__name__}: {exc}",
                               "Save the file again from a BPMN 2.0 modeller; if this persists, report it with "
                               "the file.", filename=doc.filename))
    return problems, root, checked if runs else []


def _descriptive(doc: Document, processes: list[etree._Element]) -> list[dict]:
    """A file with no process to run: refused, like Camunda 8 does, naming each process and the fix."""
    if not processes:
        return [_error(None, f"{doc.filename} holds no process", "Draw a process (a pool with a start event) and "
                       "upload it again.", filename=doc.filename)]
    return [lint.problem(
        process, f"{lint.label(process)} is a descriptive model (isExecutable=\"false\"): Alur deploys "
        "only processes that can run", "If it should run, set isExecutable=\"true\" (Camunda Modeler: select the "
        "process and tick Executable; other tools: the process's executable setting, or edit the XML) and fix "
        "the other problems listed for this file.", lint.ERROR, doc.filename) for process in processes]


def _build(parser, doc: Document, process: etree._Element, problems: list[dict]) -> ProcessInfo | None:
    pid = process.get("id")
    try:
        bundle = compile_process(parser, pid, doc.sha256)
    except Exception as exc:  # noqa: BLE001 - whatever the engine says becomes a problem, never a 500
        problems.extend(_new_only([diagnose.engine_problem(exc, {doc.filename: doc.root}, doc.filename, pid)],
                                  problems))
        return None
    original = next(p for p in doc.root.iterfind("bpmn:process", NS) if p.get("id") == pid)
    schedule = schedule_of(original)
    problems.extend(_new_only(_check_schedule(schedule, doc.filename), problems))
    return ProcessInfo(pid, process.get("name") or pid, _starter_roles(process, bundle),
                       tuple(sorted(k for k in bundle.subprocess_specs)), schedule)


def _new_only(found: list[dict], already: list[dict]) -> list[dict]:
    """Errors on elements that already carry an error say the same thing in the engine's words: drop them."""
    flagged = {(p["file"], p["element_id"]) for p in already if p["severity"] == "error" and p["element_id"]}
    return [p for p in found if p["element_id"] is None or (p["file"], p["element_id"]) not in flagged]


def _starter_roles(process: etree._Element, bundle: Bundle) -> tuple[str, ...]:
    """Who may start the process: the property ``starter_roles`` if given, else the start event's lane."""
    roles = interop.spiff_properties(process).get("starter_roles")
    if roles is not None:
        return tuple(r.strip() for r in roles.split(",") if r.strip())
    lanes = {e.lane for e in bundle.elements.values() if e.kind == "StartEvent" and e.lane}
    return tuple(sorted(lanes)) if lanes else tuple(sorted(STAFF))


def _check_schedule(schedule: Schedule | None, filename: str) -> list[dict]:
    """A start timer's value must be a literal the worker can schedule (not an expression over case data)."""
    if schedule is None or schedule.kind == "none":
        return []  # an empty timer is reported by lint
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
        else:
            TimerEventDefinition.parse_iso_duration(text)
    except Exception:  # noqa: BLE001 - any parse failure is the analyst's to fix
        return [_error(schedule.element_id, f"start timer \"{schedule.expression}\" is not a valid ISO 8601 "
                       f"{schedule.kind}", fix, filename=filename)]
    return []
