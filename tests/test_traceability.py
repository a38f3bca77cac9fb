"""Every obligation of the regulation is carried out by some diagram element, every `pasal` names a
real obligation, every user task names its obligation and form, and docs/traceability.md is current."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

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


def _domain_obligations(domain: str) -> dict[str, str]:
    """Every row of domain.md's obligations table (the section "The obligations"), whatever its id looks like."""
    section = domain.split("## The obligations", 1)[1].split("\n## ", 1)[0]
    return dict(re.findall(r"^\|\s*`([^`]+)`\s*\|\s*(.+?)\s*\|\s*$", section, re.M))


def test_every_obligation_of_the_domain_table_is_known_and_carried_out():
    """Every identifier of ../shared/domain.md (CI lays shared/ beside the checkout) is an obligation of
    workflows/kewajiban.py, and each has an element of a diagram that carries it out."""
    candidates = [ROOT.parent / "shared" / "domain.md", ROOT.parent.parent / "shared" / "domain.md"]
    found = next((c for c in candidates if c.exists()), None)
    if found is None:
        pytest.skip("../shared/domain.md is not beside this checkout")
    table = _domain_obligations(found.read_text())
    assert len(table) >= 30, "the obligations table was not found in domain.md"
    assert set(table) == set(KEWAJIBAN)
    carried = {p for e in traceability.elemen() for p in e.pasal}
    assert sorted(set(table) - carried) == []
    page = traceability.OUTPUT.read_text()
    assert [i for i in table if f"`{i}`" not in page] == []


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
