"""Checks on a diagram's XML that report every problem at once, each with its element, line and fix.

SpiffWorkflow's parser stops at the first problem it meets, and says it in the engine's words. These
checks run first, over every element of every process that will run, so that an analyst sees the whole
list in one report and in the terms of the modelling tool. What they cannot see (what only building the
engine's spec reveals) is still reported by ``engine.bpmn`` afterwards.

Each problem is ``{element_id, element_name, severity, message, fix, file, line}``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from . import registry, sandbox
from .interop import BPMN_NS, CAMUNDA_NS, ISO_TIMER, SPIFF_NS, ZEEBE_NS, b, foreign_handler, spiff_properties
from .roles import ROLES

ERROR, WARNING = "error", "warning"
_SPIFF = f"{{{SPIFF_NS}}}"
_BPMN = f"{{{BPMN_NS}}}"
SCRIPTING_DOC = "docs/scripting.md"

ACTIVITIES = {"task", "userTask", "manualTask", "scriptTask", "serviceTask", "sendTask", "receiveTask",
              "businessRuleTask", "callActivity", "subProcess", "transaction", "adHocSubProcess"}
EVENTS = {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"}
GATEWAYS = {"exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway", "complexGateway"}
FLOW_NODES = ACTIVITIES | EVENTS | GATEWAYS
CONTAINERS = {"subProcess", "transaction", "adHocSubProcess"}
HUMAN = {"userTask", "manualTask", "task"}
MANY_OUT = {"startEvent", "exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway"}
PYTHON_FORMATS = {"", "python", "python3", "py", "text/python", "text/x-python", "application/x-python"}
_ISO_LOOKING = re.compile(r"^\s*(R\d*/|P\d|PT\d|\d{4}-\d{2}-\d{2})", re.IGNORECASE)
_WORDS = re.compile(r"(?<!^)(?=[A-Z])")


@dataclass
class Problems:
    """The problems found in one file; ``add`` fills element, name and line from the XML node."""

    filename: str
    items: list[dict] = field(default_factory=list)

    def add(self, node, message: str, fix: str, severity: str = ERROR, line: int | None = None) -> None:
        self.items.append(problem(node, message, fix, severity, self.filename, line))


def problem(node, message: str, fix: str, severity: str = ERROR, filename: str | None = None,
            line: int | None = None) -> dict:
    owner = node
    while owner is not None and owner.get("id") is None:
        owner = owner.getparent()
    return {"element_id": owner.get("id") if owner is not None else None,
            "element_name": _name(owner) if owner is not None else None,
            "severity": severity, "message": message, "fix": fix, "file": filename,
            "line": line or (node.sourceline if node is not None else None)}


def local(node) -> str:
    """The BPMN tag of ``node`` ("userTask"); empty for comments and other tools' extension elements."""
    if not isinstance(node.tag, str) or not node.tag.startswith(_BPMN):
        return ""
    return node.tag[len(_BPMN):]


def _name(node) -> str | None:
    name = node.get("name")
    return " ".join(name.split()) if name else None


def label(node) -> str:
    """How a report names an element: 'service task "Send invoice" (archiveInvoice)'."""
    kind = _WORDS.sub(" ", etree.QName(node).localname).lower()
    name = _name(node)
    return f'{kind} "{name}" ({node.get("id")})' if name else f"{kind} {node.get('id')}"


def check(root: etree._Element, filename: str, processes: list[etree._Element], known_processes: dict[str, bool]) -> list[dict]:
    """Every problem in ``processes`` (elements of the normalised tree ``root``).

    ``known_processes`` maps the id of every process a call activity may call to whether it can run.
    """
    found = Problems(filename)
    for process in processes:
        _lanes(process, found)
        for container in [process, *(n for n in process.iter() if local(n) in CONTAINERS)]:
            _paths(container, found)
        for node in process.iter():
            kind = local(node)
            if kind in FLOW_NODES:
                _element(node, kind, found, known_processes)
            elif kind == "sequenceFlow":
                _condition_of(node, found)
            elif kind == "timerEventDefinition":
                _timer(node, found)
            elif kind == "linkEventDefinition":
                found.add(node.getparent(), f"{label(node.getparent())}: link events are not supported by Alur's "
                          "engine", "Draw the sequence flow directly from where the link is thrown to where it is "
                          "caught.", line=node.sourceline)
            elif kind == "compensateEventDefinition":
                found.add(node.getparent(), f"{label(node.getparent())}: compensation is not supported by Alur's "
                          "engine", "Model the undo step as an ordinary task on an error or escalation path.",
                          line=node.sourceline)
    return found.items


def data_stores(root: etree._Element, filename: str, process_ids: set[str]) -> list[dict]:
    """Data stores are documentation in Alur: one warning per data store drawn in a process that runs."""
    found = Problems(filename)
    for process in root.iterfind(f"{b('process')}"):
        if process.get("id") not in process_ids:
            continue
        for ref in process.iter(b("dataStoreReference")):
            found.add(ref, f"{label(ref)} is documentation only: Alur does not read or write it",
                      "Nothing to change if that is intended. A case keeps its own data; to write to another "
                      "system, add a service task with a handler that does it.", WARNING)
    return found.items


# --- lanes ---------------------------------------------------------------------------------------

def _lanes(process, found: Problems) -> None:
    """A lane's name is a role: the inbox of its tasks and who may start from it. Each task (and start
    event) in a lane that is no role is reported, so that the modeller highlights what would go astray."""
    nodes = {n.get("id"): n for n in process.iter() if local(n) in HUMAN or local(n) == "startEvent"}
    for lane in process.iter(b("lane")):
        refs = [(r.text or "").strip() for r in lane.findall(b("flowNodeRef"))]
        if not refs:
            continue  # a lane holding only child lanes
        name = (lane.get("name") or "").strip()
        if name in ROLES:
            continue
        hint = _role_like(name)
        fix = ((f'Rename the lane "{hint}". ' if hint else "") +
               f"A lane's name is the role whose inbox receives its tasks: one of {', '.join(ROLES)}.")
        what = f'lane "{name}", which is not a role of Alur' if name else f"lane {lane.get('id')}, which has no name"
        members = [nodes[r] for r in refs if r in nodes]
        for node in members:
            found.add(node, f"{label(node)} is in {what}", fix)
        if not members:
            found.add(lane, f"{label(lane)} is not a role of Alur" if name else f"lane {lane.get('id')} has no name",
                      fix)


def _role_like(name: str) -> str | None:
    folded = name.casefold().replace(" ", "_")
    for role, (indonesian, english) in ROLES.items():
        if folded in (role, indonesian.casefold().replace(" ", "_"), english.casefold().replace(" ", "_")):
            return role
    return None


# --- paths: gateways, outgoing flows, reachability ---------------------------------------------

def _paths(container, found: Problems) -> None:
    nodes = {n.get("id"): n for n in container if local(n) in FLOW_NODES}
    flows = [f for f in container if local(f) == "sequenceFlow"]
    outgoing: dict[str, list] = {}
    for flow in flows:
        outgoing.setdefault(flow.get("sourceRef"), []).append(flow)
        if flow.get("targetRef") not in nodes:
            found.add(flow, f"{label(flow)} leads to \"{flow.get('targetRef')}\", which is not an "
                      "element of the same process or subprocess", "Reconnect the flow's end to an element.")
    for node_id, node in nodes.items():
        out = outgoing.get(node_id, [])
        kind = local(node)
        if len(out) > 1 and kind not in MANY_OUT:
            found.add(node, f"{label(node)} has {len(out)} outgoing sequence flows; Alur's engine leaves a task "
                      "or event by one flow only",
                      "Put a gateway after it: a parallel gateway to follow every path, or an exclusive gateway "
                      "with a condition on each flow to choose one.")
        if kind in ("exclusiveGateway", "inclusiveGateway") and len(out) > 1:
            _gateway(node, out, found)
    _reachability(container, nodes, outgoing, found)


def _gateway(gateway, out: list, found: Problems) -> None:
    default = gateway.get("default")
    if default and default not in {f.get("id") for f in out}:
        found.add(gateway, f"{label(gateway)} names default flow \"{default}\", which does not leave it",
                  "Choose one of its outgoing flows as the default, or remove the default.")
    for flow in out:
        if flow.get("id") == default or _condition_text(flow):
            continue
        found.add(flow, f"{label(flow)} leaves {label(gateway)} without a condition",
                  "Give it a condition over the case data (for example: approved == True), or make it the "
                  "gateway's default flow (the path taken when no condition holds).")


def _reachability(container, nodes: dict, outgoing: dict, found: Problems) -> None:
    attached: dict[str, list[str]] = {}
    seeds = []
    for node_id, node in nodes.items():
        kind = local(node)
        if kind == "boundaryEvent":
            attached.setdefault(node.get("attachedToRef"), []).append(node_id)
        elif kind == "startEvent" or node.get("triggeredByEvent") == "true" \
                or node.get("isForCompensation") == "true" or local(container) == "adHocSubProcess":
            seeds.append(node_id)
    seen, stack = set(), list(seeds)
    while stack:
        current = stack.pop()
        if current in seen or current not in nodes:
            continue
        seen.add(current)
        stack.extend(f.get("targetRef") for f in outgoing.get(current, []))
        stack.extend(attached.get(current, []))
    for node_id, node in nodes.items():
        if node_id not in seen:
            found.add(node, f"{label(node)} can never run: no path from a start event reaches it",
                      "Connect it with a sequence flow, or delete it.", WARNING)


# --- one element ----------------------------------------------------------------------------------

def _element(node, kind: str, found: Problems, known_processes: dict[str, bool]) -> None:
    if kind in HUMAN:
        _human(node, kind, found)
    elif kind == "serviceTask":
        _service(node, found)
    elif kind == "scriptTask":
        _script_task(node, found)
    elif kind == "businessRuleTask":
        found.add(node, f"{label(node)}: decision tables (DMN) are not supported by Alur",
                  "Use a script task that sets the decision, or conditions on the flows of an exclusive gateway.")
    elif kind == "complexGateway":
        found.add(node, f"{label(node)}: complex gateways are not supported by Alur's engine",
                  "Use an inclusive gateway (several conditional paths) or a parallel gateway.")
    elif kind == "callActivity":
        _call(node, found, known_processes)
    elif kind in ("subProcess", "transaction"):
        _subprocess(node, found)
    elif kind == "adHocSubProcess":
        if node.find(b("startEvent")) is not None or node.find(b("endEvent")) is not None:
            found.add(node, f"{label(node)}: an ad-hoc subprocess may not contain start or end events",
                      "Remove the start and end events inside it; its tasks may be done in any order.")
    elif kind == "intermediateCatchEvent" and not _definitions(node):
        found.add(node, f"{label(node)} waits for nothing: an intermediate catch event needs a trigger",
                  "Give it a timer, message, signal or condition, or delete it.")
    for attr in ("preScript", "postScript"):
        script = node.find(f"{b('extensionElements')}/{_SPIFF}{attr}")
        if script is not None and (script.text or "").strip():
            _code(node, script, attr, script.text, "exec", found)
    _loops(node, found)


def _definitions(node) -> list:
    return [c for c in node if local(c).endswith("EventDefinition")]


def _human(node, kind: str, found: Problems) -> None:
    props = spiff_properties(node)
    form = props.get("form")
    if kind == "userTask" and form and registry.get_form(form) is None:
        found.add(node, f'{label(node)} names the form "{form}", which does not exist',
                  f"Use one of the registered forms ({', '.join(registry.form_names()) or 'none yet'}), or remove "
                  "the property `form` to take free input.")
    if not props.get("pasal"):
        found.add(node, f"{label(node)} carries no `pasal` property",
                  'Add the extension property pasal naming the obligation it carries out, e.g. '
                  '<spiffworkflow:property name="pasal" value="12(2)c"/> (in Camunda Modeler: Extension '
                  'properties, name pasal).', WARNING)


def _service(node, found: Problems) -> None:
    operator = node.find(f"{b('extensionElements')}/{_SPIFF}serviceTaskOperator")
    known = ", ".join(registry.handler_names()) or "none registered"
    if operator is None:
        java = [a for a in ("class", "delegateExpression", "expression") if node.get(f"{{{CAMUNDA_NS}}}{a}")]
        also = (f" Its camunda:{java[0]} is Java code for the Camunda engine and cannot run in Alur."
                if java else "")
        found.add(node, f"{label(node)} has no handler: nothing says what work it does." + also,
                  f"Name a registered handler ({known}): in Alur's modeler the field Handler; in the XML "
                  '<spiffworkflow:serviceTaskOperator id="NAME"/> in its extensionElements; in Camunda Modeler '
                  "Implementation = External with Topic = NAME (Camunda 7) or Task definition type = NAME "
                  "(Camunda 8).")
        return
    name = operator.get("id")
    if registry.get_handler(name) is None:
        found.add(node, f'{label(node)} names the handler "{name}", which is not registered',
                  f"Use one of: {known}. A new handler is Python code registered in workflows/handlers.")
    for param in operator.iter(f"{_SPIFF}parameter"):
        if param.get("value") is not None:
            _code(node, param, f"parameter {param.get('id')}", param.get("value"), "eval", found)


def _script_task(node, found: Problems) -> None:
    script = node.find(b("script"))
    fmt = (node.get("scriptFormat") or "").strip().lower()
    if fmt not in PYTHON_FORMATS:
        found.add(node, f'{label(node)} is written in "{node.get("scriptFormat")}"; Alur runs Python scripts only',
                  f"Rewrite the script in Python with the functions listed in {SCRIPTING_DOC}, and set its "
                  "format to python (or leave it empty).")
        return
    if script is None or not (script.text or "").strip():
        found.add(node, f"{label(node)} has no script", "Write the script, or change the element into a plain task.")
        return
    _code(node, script, "script", script.text, "exec", found)


def _call(node, found: Problems, known_processes: dict[str, bool]) -> None:
    called = node.get("calledElement")
    if not called:
        found.add(node, f"{label(node)} does not say which process it calls",
                  "Set calledElement to the id of a deployed process, or of one in the same upload "
                  "(Camunda 8: Called element > Process ID).")
    elif known_processes.get(called) is False:
        found.add(node, f'{label(node)} calls process "{called}", which is marked isExecutable="false"',
                  f'Set isExecutable="true" on process "{called}" so that it can run when called.')
    elif called not in known_processes:
        found.add(node, f'{label(node)} calls process "{called}", which is neither in this upload nor deployed',
                  "Deploy the called process first, or upload its file together with this one.")


def _subprocess(node, found: Problems) -> None:
    starts = node.findall(b("startEvent"))
    if len(starts) != 1:
        found.add(node, f"{label(node)} has {len(starts)} start events; a subprocess needs exactly one",
                  "Draw one start event inside the subprocess and connect it to its first element." if not starts
                  else "Keep one start event inside the subprocess.")
    if node.find(b("endEvent")) is None:
        found.add(node, f"{label(node)} has no end event", "Draw an end event inside the subprocess.")


def _loops(node, found: Problems) -> None:
    multi = node.find(b("multiInstanceLoopCharacteristics"))
    if multi is not None:
        cardinality = multi.find(b("loopCardinality"))
        data_input = multi.find(b("loopDataInputRef"))
        if cardinality is None and data_input is None:
            zeebe = multi.find(f"{b('extensionElements')}/{{{ZEEBE_NS}}}loopCharacteristics")
            found.add(node, f"{label(node)} repeats, but says neither how many times nor over which collection",
                      "Set Loop cardinality (a number or expression), or Input collection (loopDataInputRef) "
                      "naming a list in the case data" +
                      (" (Camunda 8's inputCollection is a FEEL expression Alur does not read)." if zeebe is not None
                       else "."))
        elif cardinality is not None and data_input is not None:
            found.add(node, f"{label(node)} has both a loop cardinality and an input collection",
                      "Keep one of them.")
        if cardinality is not None and (cardinality.text or "").strip():
            _code(node, cardinality, "loop cardinality", cardinality.text, "eval", found)
        completion = multi.find(b("completionCondition"))
        if completion is not None and (completion.text or "").strip():
            _code(node, completion, "completion condition", completion.text, "eval", found)
    standard = node.find(b("standardLoopCharacteristics"))
    if standard is not None:
        condition = standard.find(b("loopCondition"))
        if standard.get("loopMaximum") is None and (condition is None or not (condition.text or "").strip()):
            found.add(node, f"{label(node)} loops without a loop condition or a maximum",
                      "Set loopMaximum, or a loop condition over the case data.")
        elif condition is not None and (condition.text or "").strip():
            _code(node, condition, "loop condition", condition.text, "eval", found)


# --- conditions, timers and code --------------------------------------------------------------------

def _condition_text(flow) -> str:
    expression = flow.find(b("conditionExpression"))
    return (expression.text or "").strip() if expression is not None else ""


def _condition_of(flow, found: Problems) -> None:
    expression = flow.find(b("conditionExpression"))
    if expression is None or not (expression.text or "").strip():
        return
    _code(flow, expression, "condition", expression.text, "eval", found)


def _timer(definition, found: Problems) -> None:
    event = definition.getparent()
    values = [c for c in definition if local(c) in ("timeDate", "timeDuration", "timeCycle")]
    filled = [c for c in values if (c.text or "").strip()]
    if not filled:
        found.add(event, f"{label(event)} is a timer without a time: its timer definition is empty",
                  "Set the timer's type and value: a duration (PT1H, P1D), a date and time "
                  "(2026-12-01T07:00:00+07:00) or a cycle (R/P1D, R/2026-01-01T07:00:00+07:00/P1D); "
                  "in Camunda Modeler the Timer section of the event.")
        return
    node = filled[0]
    text = node.text.strip()
    kind = local(node)
    if _foreign_language(text):
        _foreign(event, node, "timer", text, found)
        return
    if _ISO_LOOKING.match(text) and not _quoted(text):
        found.add(event, f'{label(event)}: timer {kind} "{text}" is not a valid ISO 8601 value', _TIMER_FIX,
                  line=node.sourceline)
        return
    try:
        sandbox.check(text, "eval")
    except sandbox.ScriptError as exc:
        found.add(event, f"{label(event)}: timer {kind} \"{text}\" is neither an ISO 8601 value nor a valid "
                  f"expression ({exc})", _TIMER_FIX, line=node.sourceline)
        return
    try:
        value = sandbox.evaluate(text, {})
    except sandbox.ScriptError:
        return  # depends on the case data; checked when the timer is reached
    if not isinstance(value, str) or not _parses(kind, value):
        found.add(event, f'{label(event)}: timer {kind} "{value}" is not a valid ISO 8601 value', _TIMER_FIX,
                  line=node.sourceline)


_TIMER_FIX = ("Write a duration (PT1H, P1D, P1DT12H), a date and time with its zone (2026-12-01T07:00:00+07:00) "
              "or a cycle (R/P1D, R3/PT1H, R/2026-01-01T07:00:00+07:00/P1D).")


def _quoted(text: str) -> bool:
    return len(text) > 1 and text[0] == text[-1] and text[0] in "'\""


def _parses(kind: str, value: str) -> bool:
    try:
        if kind == "timeCycle":
            TimerEventDefinition.parse_iso_recurring_interval(value)
        elif kind == "timeDuration":
            TimerEventDefinition.parse_iso_duration(value)
        else:
            TimerEventDefinition.parse_time_or_duration(value)
    except Exception:  # noqa: BLE001 - any parse failure is the analyst's to fix
        return False
    return ISO_TIMER.match(value) is not None or kind == "timeDate"


def _foreign_language(text: str) -> str | None:
    if text.startswith(("${", "#{")) and text.endswith("}"):
        return "JUEL"
    if text.startswith("=") and not text.startswith("=="):
        return "FEEL"
    return None


def _foreign(owner, node, what: str, text: str, found: Problems) -> None:
    language = _foreign_language(text)
    inner = text[2:-1].strip() if language == "JUEL" else text[1:].strip()
    suggestion = _translated(inner)
    tool = "Camunda 7" if language == "JUEL" else "Camunda 8"
    found.add(owner, f"{label(owner)}: {what} {text!r} is written in {language} ({tool}'s expression language); "
              "Alur reads Python expressions over the case data",
              (f"Write it as: {suggestion}" if suggestion else
               f"Rewrite it as a Python expression with the functions listed in {SCRIPTING_DOC}."),
              line=node.sourceline)


def _translated(expression: str) -> str | None:
    """A Python version of a simple JUEL/FEEL/XPath expression, when there is an obvious one."""
    out = re.sub(r"&&", " and ", expression)
    out = re.sub(r"\|\|", " or ", out)
    out = re.sub(r"!(?!=)", " not ", out)
    out = re.sub(r"(?<![=!<>])=(?!=)", "==", out)
    out = re.sub(r"\btrue\b", "True", re.sub(r"\bfalse\b", "False", re.sub(r"\bnull\b", "None", out)))
    out = " ".join(out.split())
    if not out:
        return None
    try:
        sandbox.check(out, "eval")
    except sandbox.ScriptError:
        return None
    return out


def _code(owner, node, what: str, source: str, mode: str, found: Problems) -> None:
    """Check user code at deploy exactly as it will be compiled at run time; report the file line."""
    text = source if mode == "exec" else source.strip()
    if mode == "eval" and _foreign_language(text):
        _foreign(owner, node, what, text, found)
        return
    language = (node.get("language") or "").strip()
    if language and "python" not in language.lower():
        suggestion = _translated(text)
        found.add(owner, f"{label(owner)}: the {what} {text!r} is written in {language}; Alur reads Python "
                  "expressions over the case data",
                  (f"Write it as: {suggestion}, and remove the language attribute." if suggestion else
                   f"Rewrite it in Python with the functions listed in {SCRIPTING_DOC}, and remove the language "
                   "attribute."), line=node.sourceline)
        return
    try:
        sandbox.check(text, mode)
    except sandbox.ScriptError as exc:
        where = f" (line {exc.line} of the {what})" if exc.line and mode == "exec" else ""
        found.add(owner, f"{label(owner)}: the {what} is refused{where}: {exc}",
                  f"Rewrite it with the functions listed in {SCRIPTING_DOC}; imports, names and attributes "
                  "beginning with _, and eval/exec/open/getattr and their kin are not available.",
                  line=_file_line(node, source, exc.line))


def _file_line(node, source: str, script_line: int | None) -> int | None:
    if node is None or node.sourceline is None:
        return None
    if not script_line or node.get("value") is not None:
        return node.sourceline
    return node.sourceline + script_line - 1


def split_processes(root: etree._Element) -> tuple[list, list]:
    """(processes that run, descriptive processes): what deploys and what is only drawn.

    A process without ``isExecutable`` runs, as SpiffWorkflow and Camunda 7 read it; ``isExecutable="false"``
    marks a descriptive model.
    """
    processes = list(root.iterfind(b("process")))
    runs = [p for p in processes if p.get("isExecutable", "true") == "true"]
    return runs, [p for p in processes if p not in runs]
