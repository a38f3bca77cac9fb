"""A small authoring aid that writes the SOP diagrams as BPMN 2.0 with SpiffWorkflow extensions and a
readable layout (pool, lanes, shapes and edges), so that bpmn.io, Camunda Modeler and Alur's viewer draw
them.

The ``.bpmn`` files in ``workflows/bpmn/`` are what Alur deploys and what analysts edit. This module
only produced their first versions (``python -m workflows.diagrams``); once a file has been edited in a
modeller, edit it there rather than regenerating it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

TASK_W, TASK_H = 120, 80
EVENT = 36
GATEWAY = 50
COL_W = 170
ROW_H = 110
LANE_PAD = 30
LABEL_W = 30
X0 = LABEL_W + 60


@dataclass
class Node:
    id: str
    kind: str  # startEvent, endEvent, userTask, serviceTask, scriptTask, exclusiveGateway, ...
    name: str
    lane: str | None
    props: dict[str, str] = field(default_factory=dict)
    body: str = ""  # extra XML inside the element (event definitions, script, operator)
    attrs: dict[str, str] = field(default_factory=dict)
    attached_to: str | None = None
    default_flow: str | None = None

    @property
    def size(self) -> tuple[int, int]:
        if self.kind.endswith("Event"):
            return EVENT, EVENT
        if self.kind.endswith("Gateway"):
            return GATEWAY, GATEWAY
        return TASK_W, TASK_H


@dataclass
class Flow:
    id: str
    source: str
    target: str
    condition: str | None = None
    name: str = ""


class Process:
    """One executable process with its lanes; nodes are added in reading order."""

    def __init__(self, process_id: str, name: str, lanes: list[str], *, starter_roles: str | None = None,
                 documentation: str = ""):
        self.id, self.name, self.lanes = process_id, name, lanes
        self.starter_roles = starter_roles
        self.documentation = documentation
        self.nodes: dict[str, Node] = {}
        self.flows: list[Flow] = []
        self.messages: dict[str, str] = {}

    # --- nodes -----------------------------------------------------------------------------------

    def _add(self, node: Node) -> str:
        if node.id in self.nodes:
            raise ValueError(f"duplicate element id {node.id}")
        self.nodes[node.id] = node
        return node.id

    @staticmethod
    def _props(pasal: str | None, **more) -> dict[str, str]:
        props = {k: v for k, v in more.items() if v}
        if pasal:
            props["pasal"] = pasal
        return props

    def start(self, id: str, name: str, lane: str | None, *, cycle: str | None = None, pasal: str | None = None) -> str:
        body = ""
        if cycle:
            body = (f'<bpmn:timerEventDefinition id="{id}_timer"><bpmn:timeCycle xsi:type="bpmn:tFormalExpression">'
                    f'{escape(cycle)}</bpmn:timeCycle></bpmn:timerEventDefinition>')
        return self._add(Node(id, "startEvent", name, lane, self._props(pasal), body))

    def end(self, id: str, name: str, lane: str | None) -> str:
        return self._add(Node(id, "endEvent", name, lane))

    def user(self, id: str, name: str, lane: str | None, form: str, pasal: str, due: str | None = None) -> str:
        return self._add(Node(id, "userTask", name, lane, self._props(pasal, form=form, due=due)))

    def service(self, id: str, name: str, lane: str, handler: str, result: str, pasal: str | None = None,
                **params: str) -> str:
        parameters = "".join(f'<spiffworkflow:parameter id="{k}" type="any" value={quoteattr(v)} />'
                             for k, v in params.items())
        body = (f'<spiffworkflow:serviceTaskOperator id="{handler}" resultVariable="{result}">'
                f'<spiffworkflow:parameters>{parameters}</spiffworkflow:parameters>'
                f'</spiffworkflow:serviceTaskOperator>')
        return self._add(Node(id, "serviceTask", name, lane, self._props(pasal), body))

    def script(self, id: str, name: str, lane: str, code: str, pasal: str | None = None) -> str:
        return self._add(Node(id, "scriptTask", name, lane, self._props(pasal),
                              f"<bpmn:script>{escape(code)}</bpmn:script>"))

    def xor(self, id: str, name: str, lane: str) -> str:
        return self._add(Node(id, "exclusiveGateway", name, lane))

    def join(self, id: str, lane: str, name: str = "") -> str:
        return self._add(Node(id, "exclusiveGateway", name, lane))

    def call(self, id: str, name: str, lane: str, process: str, pasal: str | None = None) -> str:
        return self._add(Node(id, "callActivity", name, lane, self._props(pasal), attrs={"calledElement": process}))

    def _message(self, name: str) -> str:
        return self.messages.setdefault(name, f"msg_{name}")

    def send(self, id: str, name: str, lane: str, message: str, payload: str, pasal: str | None = None) -> str:
        ref = self._message(message)
        body = (f'<bpmn:messageEventDefinition id="{id}_def" messageRef="{ref}"><bpmn:extensionElements>'
                f'<spiffworkflow:messagePayload>{escape(payload)}</spiffworkflow:messagePayload>'
                f'</bpmn:extensionElements></bpmn:messageEventDefinition>')
        return self._add(Node(id, "intermediateThrowEvent", name, lane, self._props(pasal), body))

    def receive(self, id: str, name: str, lane: str, message: str, variable: str, pasal: str | None = None) -> str:
        ref = self._message(message)
        body = (f'<bpmn:messageEventDefinition id="{id}_def" messageRef="{ref}"><bpmn:extensionElements>'
                f'<spiffworkflow:messageVariable>{variable}</spiffworkflow:messageVariable>'
                f'</bpmn:extensionElements></bpmn:messageEventDefinition>')
        return self._add(Node(id, "intermediateCatchEvent", name, lane, self._props(pasal), body))

    def wait_until(self, id: str, name: str, lane: str, expression: str, pasal: str | None = None) -> str:
        body = (f'<bpmn:timerEventDefinition id="{id}_def"><bpmn:timeDate xsi:type="bpmn:tFormalExpression">'
                f'{escape(expression)}</bpmn:timeDate></bpmn:timerEventDefinition>')
        return self._add(Node(id, "intermediateCatchEvent", name, lane, self._props(pasal), body))

    def timer_on(self, id: str, name: str, task: str, *, date: str | None = None, duration: str | None = None,
                 interrupting: bool = True, pasal: str | None = None) -> str:
        tag, value = ("timeDate", date) if date else ("timeDuration", duration)
        body = (f'<bpmn:timerEventDefinition id="{id}_def"><bpmn:{tag} xsi:type="bpmn:tFormalExpression">'
                f'{escape(value)}</bpmn:{tag}></bpmn:timerEventDefinition>')
        attrs = {"attachedToRef": task, "cancelActivity": "true" if interrupting else "false"}
        return self._add(Node(id, "boundaryEvent", name, self.nodes[task].lane, self._props(pasal), body, attrs,
                              attached_to=task))

    # --- flows -----------------------------------------------------------------------------------

    def flow(self, source: str, target: str, condition: str | None = None, name: str = "",
             default: bool = False) -> None:
        flow = Flow(f"f_{source}_{target}", source, target, condition, name)
        self.flows.append(flow)
        if default:
            self.nodes[source].default_flow = flow.id

    def chain(self, *ids: str) -> None:
        for a, b in zip(ids, ids[1:]):
            self.flow(a, b)

    # --- XML -------------------------------------------------------------------------------------

    def process_xml(self) -> str:
        for node in self.nodes.values():
            # SpiffWorkflow indexes every XML id of a process: a parameter named like an element hides it.
            clash = [k for k in self.nodes if f'parameter id="{k}"' in node.body]
            if clash:
                raise ValueError(f"{node.id}: parameter named like the element {clash[0]}")
        out = [f'  <bpmn:process id="{self.id}" name={quoteattr(self.name)} isExecutable="true">']
        if self.documentation:
            out.append(f"    <bpmn:documentation>{escape(self.documentation)}</bpmn:documentation>")
        if self.starter_roles:
            out.append('    <bpmn:extensionElements><spiffworkflow:properties>'
                       f'<spiffworkflow:property name="starter_roles" value="{self.starter_roles}" />'
                       '</spiffworkflow:properties></bpmn:extensionElements>')
        out.append(f'    <bpmn:laneSet id="LaneSet_{self.id}">')
        for lane in self.lanes:
            out.append(f'      <bpmn:lane id="Lane_{self.id}_{lane}" name="{lane}">')
            out.extend(f"        <bpmn:flowNodeRef>{n.id}</bpmn:flowNodeRef>"
                       for n in self.nodes.values() if n.lane == lane)
            out.append("      </bpmn:lane>")
        out.append("    </bpmn:laneSet>")
        incoming = {n: [f.id for f in self.flows if f.target == n] for n in self.nodes}
        outgoing = {n: [f.id for f in self.flows if f.source == n] for n in self.nodes}
        for node in self.nodes.values():
            attrs = "".join(f" {k}={quoteattr(v)}" for k, v in node.attrs.items())
            if node.default_flow:
                attrs += f' default="{node.default_flow}"'
            out.append(f'    <bpmn:{node.kind} id="{node.id}" name={quoteattr(node.name)}{attrs}>')
            ext = ""
            if node.kind == "serviceTask":
                ext += node.body
            if node.props:
                ext += "<spiffworkflow:properties>" + "".join(
                    f'<spiffworkflow:property name="{k}" value={quoteattr(v)} />' for k, v in node.props.items()
                ) + "</spiffworkflow:properties>"
            if ext:
                out.append(f"      <bpmn:extensionElements>{ext}</bpmn:extensionElements>")
            out.extend(f"      <bpmn:incoming>{f}</bpmn:incoming>" for f in incoming[node.id])
            out.extend(f"      <bpmn:outgoing>{f}</bpmn:outgoing>" for f in outgoing[node.id])
            if node.kind != "serviceTask" and node.body:
                out.append(f"      {node.body}")
            out.append(f"    </bpmn:{node.kind}>")
        for flow in self.flows:
            name = f" name={quoteattr(flow.name)}" if flow.name else ""
            head = f'    <bpmn:sequenceFlow id="{flow.id}" sourceRef="{flow.source}" targetRef="{flow.target}"{name}'
            if flow.condition:
                out.append(f"{head}><bpmn:conditionExpression xsi:type=\"bpmn:tFormalExpression\">"
                           f"{escape(flow.condition)}</bpmn:conditionExpression></bpmn:sequenceFlow>")
            else:
                out.append(f"{head} />")
        out.append("  </bpmn:process>")
        return "\n".join(out)

    # --- layout ----------------------------------------------------------------------------------

    def layout(self, y0: int) -> tuple[dict[str, tuple[int, int, int, int]], dict[str, tuple[int, int]], int]:
        """Shapes (x, y, w, h) per node, lane bands (y, h), and the pool's height."""
        column = self._columns()
        slots: dict[tuple[str, int], int] = {}
        row: dict[str, int] = {}
        for node in self.nodes.values():
            if node.attached_to:
                continue
            key = (node.lane, column[node.id])
            row[node.id] = slots.get(key, 0)
            slots[key] = row[node.id] + 1
        bands: dict[str | None, tuple[int, int]] = {}
        y = y0
        # Elements outside every lane belong to whoever started the case; they sit in a band on top.
        for lane in ([None] if any(n.lane is None for n in self.nodes.values()) else []) + self.lanes:
            rows = max([n for (ln, _), n in slots.items() if ln == lane] or [1])
            height = max(150, rows * ROW_H + 2 * LANE_PAD)
            bands[lane] = (y, height)
            y += height
        shapes: dict[str, tuple[int, int, int, int]] = {}
        for node in self.nodes.values():
            if node.attached_to:
                continue
            w, h = node.size
            lane_y, _ = bands[node.lane]
            cx = X0 + column[node.id] * COL_W + TASK_W // 2
            cy = lane_y + LANE_PAD + row[node.id] * ROW_H + TASK_H // 2
            shapes[node.id] = (cx - w // 2, cy - h // 2, w, h)
        for node in self.nodes.values():
            if node.attached_to:
                x, y_, w, h = shapes[node.attached_to]
                shapes[node.id] = (x + w - EVENT - 10, y_ + h - EVENT // 2, EVENT, EVENT)
        return shapes, bands, y - y0

    def _columns(self) -> dict[str, int]:
        """Longest-path column of each node, ignoring flows that go back (loops)."""
        succ: dict[str, list[str]] = {n: [] for n in self.nodes}
        for f in self.flows:
            succ[f.source].append(f.target)
        for node in self.nodes.values():
            if node.attached_to:
                succ[node.attached_to].append(node.id)
        order, state, back = [], {}, set()

        def visit(n: str) -> None:
            state[n] = 1
            for m in succ[n]:
                if state.get(m) == 1:
                    back.add((n, m))
                elif m not in state:
                    visit(m)
            state[n] = 2
            order.append(n)

        for n in self.nodes:
            if n not in state:
                visit(n)
        column = {n: 0 for n in self.nodes}
        for n in reversed(order):
            for m in succ[n]:
                if (n, m) not in back:
                    step = 0 if self.nodes[m].attached_to else 1
                    column[m] = max(column[m], column[n] + step)
        return column


def _edge(shapes, flow: Flow) -> list[tuple[int, int]]:
    sx, sy, sw, sh = shapes[flow.source]
    tx, ty, tw, th = shapes[flow.target]
    start = (sx + sw, sy + sh // 2)
    end = (tx, ty + th // 2)
    if tx <= sx:  # a flow going back: around the bottom
        below = max(sy + sh, ty + th) + 25
        return [(sx + sw // 2, sy + sh), (sx + sw // 2, below), (tx + tw // 2, below), (tx + tw // 2, ty + th)]
    if abs(start[1] - end[1]) < 2:
        return [start, end]
    mid = start[0] + 20
    return [start, (mid, start[1]), (mid, end[1]), end]


def document(definitions_id: str, processes: list[Process]) -> str:
    """A complete BPMN file: messages, a collaboration with one pool per process, processes and layout."""
    head = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"\n'
            '                  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"\n'
            '                  xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"\n'
            '                  xmlns:di="http://www.omg.org/spec/DD/20100524/DI"\n'
            '                  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"\n'
            '                  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"\n'
            f'                  id="{definitions_id}" targetNamespace="https://alur.example/bpmn/lpse">')
    out = [head]
    messages = {}
    for p in processes:
        messages.update(p.messages)
    out.append(f'  <bpmn:collaboration id="Collab_{definitions_id}">')
    for p in processes:
        out.append(f'    <bpmn:participant id="Pool_{p.id}" name={quoteattr(p.name)} processRef="{p.id}" />')
    out.append("  </bpmn:collaboration>")
    for name, ref in sorted(messages.items()):
        out.append(f'  <bpmn:message id="{ref}" name="{name}" />')
    for p in processes:
        out.append(p.process_xml())
    out.append(f'  <bpmndi:BPMNDiagram id="Diagram_{definitions_id}">')
    out.append(f'    <bpmndi:BPMNPlane id="Plane_{definitions_id}" bpmnElement="Collab_{definitions_id}">')
    y = 0
    for p in processes:
        shapes, bands, height = p.layout(y)
        width = X0 + (max((s[0] + s[2] for s in shapes.values()), default=0) - X0) + 80
        out.append(f'      <bpmndi:BPMNShape id="Pool_{p.id}_di" bpmnElement="Pool_{p.id}" isHorizontal="true">'
                   f'<dc:Bounds x="0" y="{y}" width="{width}" height="{height}" /></bpmndi:BPMNShape>')
        for lane, (ly, lh) in bands.items():
            if lane is None:
                continue
            out.append(f'      <bpmndi:BPMNShape id="Lane_{p.id}_{lane}_di" bpmnElement="Lane_{p.id}_{lane}" '
                       f'isHorizontal="true"><dc:Bounds x="{LABEL_W}" y="{ly}" width="{width - LABEL_W}" '
                       f'height="{lh}" /></bpmndi:BPMNShape>')
        for node_id, (x, y_, w, h) in shapes.items():
            marker = ' isMarkerVisible="true"' if p.nodes[node_id].kind == "exclusiveGateway" else ""
            out.append(f'      <bpmndi:BPMNShape id="{node_id}_di" bpmnElement="{node_id}"{marker}>'
                       f'<dc:Bounds x="{x}" y="{y_}" width="{w}" height="{h}" /></bpmndi:BPMNShape>')
        for flow in p.flows:
            points = "".join(f'<di:waypoint x="{px}" y="{py}" />' for px, py in _edge(shapes, flow))
            out.append(f'      <bpmndi:BPMNEdge id="{flow.id}_di" bpmnElement="{flow.id}">{points}</bpmndi:BPMNEdge>')
        y += height + 60
    out.append("    </bpmndi:BPMNPlane>")
    out.append("  </bpmndi:BPMNDiagram>")
    out.append("</bpmn:definitions>")
    return "\n".join(out) + "\n"
