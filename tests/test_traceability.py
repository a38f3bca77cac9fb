"""Every obligation of the regulation is carried out by some diagram element, every `pasal` names a
real obligation, every user task names its obligation and form, and docs/traceability.md is current."""
from __future__ import annotations

import re
from pathlib import Path

from engine import bpmn
from workflows import traceability
from workflows.kewajiban import KEWAJIBAN

ROOT = Path(__file__).resolve().parent.parent


def test_every_obligation_has_an_element_and_every_pasal_is_known():
    items = traceability.elemen()
    assert traceability.tanpa_pelaksana(items) == []
    assert [(e.berkas, e.id, p) for e, p in traceability.tidak_dikenal(items)] == []


def test_the_committed_traceability_page_is_current():
    committed = traceability.OUTPUT.read_text()
    assert committed == traceability.render(traceability.elemen()), "run `alur traceability` and commit the page"


def test_the_obligations_match_the_domain_table_when_it_is_beside_the_checkout():
    for candidate in (ROOT.parent / "shared" / "domain.md", ROOT.parent.parent / "shared" / "domain.md"):
        if candidate.exists():
            ids = re.findall(r"^\| `([0-9]+\([0-9]+\)[a-z]?|[0-9]+[a-z])` \|", candidate.read_text(), re.M)
            assert ids and set(ids) == set(KEWAJIBAN)
            return


def test_every_sop_diagram_deploys_without_warnings_and_every_user_task_has_a_form():
    import forms  # noqa: F401 - registers the forms
    import workflows.handlers  # noqa: F401 - registers the handlers

    docs = [bpmn.read(p.read_bytes(), p.name, max_bytes=1 << 22, max_depth=64)
            for p in sorted(traceability.BPMN_DIR.glob("*.bpmn"))]
    infos, problems = bpmn.analyse(docs)
    assert problems == []
    assert len(infos) == len(docs)
    for doc in docs:
        for task in doc.root.iter(f"{{{bpmn.BPMN_NS}}}userTask"):
            names = {p.get("name") for p in task.iter(f"{{{bpmn.SPIFF_NS}}}property")}
            assert {"form", "pasal"} <= names, (doc.filename, task.get("id"))
