"""Reading BPMN as other modelling tools write it, without changing the bytes that were uploaded.

The compiled copy of a diagram (what SpiffWorkflow parses) differs from the stored file in a few
documented ways, so that a file drawn in bpmn.io or Camunda Modeler runs as drawn:

* ISO 8601 timer literals (``PT1H``, ``R/P1D``, a date) are quoted: SpiffWorkflow evaluates timers as
  Python expressions.
* Camunda 7 and Camunda 8 (Zeebe) extension attributes that say what Alur needs are read as Alur's own:
  extension properties (``camunda:property`` / ``zeebe:property``, e.g. ``pasal``), the form key of a user
  task, the topic (Camunda 7 external task) or job type (Camunda 8) of a service task as its handler, and
  the called process of a Camunda 8 call activity.
* Data stores are documentation only: Alur keeps a case's data in the case, and a service task does any
  writing to another system. They and their associations are left out of the compiled copy (and reported
  as warnings by ``engine.lint``).

Every line number in the copy is the line of the same element in the uploaded file.
"""
from __future__ import annotations

import copy
import re

from lxml import etree

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0"

ISO_TIMER = re.compile(
    r"^\s*(R\d*/[^\s]+|P(?=\d|T\d)[\dYMWDTHS.,]+|\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?)\s*$",
    re.IGNORECASE)
_PLAIN_NAME = re.compile(r"^[A-Za-z][\w.\-]*$")


def b(tag: str) -> str:
    return f"{{{BPMN_NS}}}{tag}"


def normalised(root: etree._Element) -> etree._Element:
    """A copy of ``root`` that SpiffWorkflow can parse the way the modelling tool meant it."""
    root = copy.deepcopy(root)
    _quote_timers(root)
    _foreign_properties(root)
    _foreign_forms(root)
    _foreign_handlers(root)
    _foreign_called_elements(root)
    _drop_data_stores(root)
    return root


def _quote_timers(root) -> None:
    for tag in ("timeDuration", "timeDate", "timeCycle"):
        for node in root.iter(b(tag)):
            text = (node.text or "").strip()
            if ISO_TIMER.match(text):
                node.text = repr(text)


def _extension_elements(node) -> etree._Element:
    ext = node.find(b("extensionElements"))
    if ext is None:
        ext = etree.Element(b("extensionElements"))
        node.insert(_first_position(node), ext)
    return ext


def _first_position(node) -> int:
    """extensionElements comes after documentation in BPMN's schema."""
    position = 0
    for i, child in enumerate(node):
        if child.tag == b("documentation"):
            position = i + 1
    return position


def spiff_properties(node) -> dict[str, str]:
    props = node.find(f"{b('extensionElements')}/{{{SPIFF_NS}}}properties")
    if props is None:
        return {}
    return {p.get("name"): p.get("value", "") for p in props.iter(f"{{{SPIFF_NS}}}property") if p.get("name")}


def _set_property(node, name: str, value: str) -> None:
    """Add an Alur (spiffworkflow) extension property unless the element already has one of that name."""
    if name in spiff_properties(node):
        return
    ext = _extension_elements(node)
    props = ext.find(f"{{{SPIFF_NS}}}properties")
    if props is None:
        props = etree.SubElement(ext, f"{{{SPIFF_NS}}}properties")
    etree.SubElement(props, f"{{{SPIFF_NS}}}property", name=name, value=value)


def _foreign_properties(root) -> None:
    for ns in (CAMUNDA_NS, ZEEBE_NS):
        for prop in list(root.iter(f"{{{ns}}}property")):
            holder = prop.getparent()
            if holder is None or holder.tag != f"{{{ns}}}properties":
                continue
            ext = holder.getparent()
            element = ext.getparent() if ext is not None else None
            if element is None or not prop.get("name"):
                continue
            _set_property(element, prop.get("name"), prop.get("value", ""))


def _foreign_forms(root) -> None:
    for task in root.iter(b("userTask")):
        key = task.get(f"{{{CAMUNDA_NS}}}formKey")
        definition = task.find(f"{b('extensionElements')}/{{{ZEEBE_NS}}}formDefinition")
        if key is None and definition is not None:
            key = definition.get("formKey") or definition.get("formId")
        if key and _PLAIN_NAME.match(key):
            _set_property(task, "form", key)


def foreign_handler(task) -> str | None:
    """The handler name a Camunda 7 external task (topic) or Camunda 8 job (type) names, if any."""
    topic = task.get(f"{{{CAMUNDA_NS}}}topic")
    if topic:
        return topic
    definition = task.find(f"{b('extensionElements')}/{{{ZEEBE_NS}}}taskDefinition")
    if definition is not None and definition.get("type") and not definition.get("type").startswith("="):
        return definition.get("type")
    return None


def _foreign_handlers(root) -> None:
    for tag in ("serviceTask", "sendTask"):
        for task in root.iter(b(tag)):
            if task.find(f"{b('extensionElements')}/{{{SPIFF_NS}}}serviceTaskOperator") is not None:
                continue
            name = foreign_handler(task) if tag == "serviceTask" else None
            if name:
                operator = etree.SubElement(_extension_elements(task), f"{{{SPIFF_NS}}}serviceTaskOperator", id=name)
                etree.SubElement(operator, f"{{{SPIFF_NS}}}parameters")


def _foreign_called_elements(root) -> None:
    for call in root.iter(b("callActivity")):
        if call.get("calledElement"):
            continue
        called = call.find(f"{b('extensionElements')}/{{{ZEEBE_NS}}}calledElement")
        if called is not None and called.get("processId") and not called.get("processId").startswith("="):
            call.set("calledElement", called.get("processId"))


def _drop_data_stores(root) -> None:
    references = {n.get("id") for n in root.iter(b("dataStoreReference"))}
    for tag in ("dataInputAssociation", "dataOutputAssociation"):
        for association in list(root.iter(b(tag))):
            refs = {(r.text or "").strip() for r in association if r.tag in (b("sourceRef"), b("targetRef"))}
            if refs & references:
                association.getparent().remove(association)
    for tag in ("dataStoreReference", "dataStore"):
        for node in list(root.iter(b(tag))):
            node.getparent().remove(node)
