"""The deploy report: each kind of problem an analyst can make is named with its element, its line and the
fix, in one 422 problem+json listing them all; a missing ``pasal`` is a warning and the diagram deploys.
ISO 8601 timers as bpmn.io and Camunda Modeler write them are accepted exactly as written."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from conftest import BPMN
from engine import clock, worker
from engine.models import BpmnModel, Instance

TWO_LANES = (BPMN / "two_lanes.bpmn").read_text()
TIMER = (BPMN / "timer_intermediate.bpmn").read_text()
SERVICE = (BPMN / "service.bpmn").read_text()


@pytest.fixture
def deploy(api, tmp_path):
    def upload(text: str, expect: int = 422, name: str = "diagram.bpmn"):
        path = tmp_path / name
        path.write_text(text)
        response = api.deploy(path, expect=expect)
        assert response.content_type == ("application/problem+json" if expect == 422 else "application/json")
        return response.get_json()

    return upload


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def _only(report: dict, element_id: str, severity: str = "error") -> dict:
    found = [e for e in report["errors"] if e["element_id"] == element_id and e["severity"] == severity]
    assert found, report["errors"]
    for item in found:
        assert item["message"] and item["fix"] and item["file"] == "diagram.bpmn" and item["line"] > 0, item
    return found[0]


def test_a_bpmn_schema_error_names_the_element_line_and_fix(deploy):
    text = TWO_LANES.replace('<bpmn:sequenceFlow id="f2" sourceRef="isi_permohonan" targetRef="periksa" />',
                             '<bpmn:sequenceFlow id="f2" sourceRef="isi_permohonan" targetRef="periksa" '
                             'urutan="2" />')
    report = deploy(text)
    error = _only(report, "f2")
    assert error["message"].startswith("BPMN schema") and "urutan" in error["message"]
    assert error["line"] == _line_of(text, 'urutan="2"')


def test_a_lane_that_is_not_a_known_role_is_refused_with_the_role_list(deploy):
    """Reported on the lane's first task, the element an analyst opens to see who does it."""
    text = TWO_LANES.replace('name="verifikator"', 'name="Bagian Verifikasi"')
    error = _only(deploy(text), "periksa")
    assert "Bagian Verifikasi" in error["message"]
    assert all(role in error["fix"] for role in ("verifikator", "kepala", "layanan"))


def test_a_form_that_does_not_exist_is_refused(deploy):
    text = TWO_LANES.replace('<spiffworkflow:property name="pasal" value="12(2)c" />',
                             '<spiffworkflow:property name="pasal" value="12(2)c" />\n'
                             '          <spiffworkflow:property name="form" value="formulir.tidak_ada" />', 1)
    error = _only(deploy(text), "periksa")
    assert "formulir.tidak_ada" in error["message"] and error["fix"]


def test_an_unregistered_service_handler_is_refused(deploy):
    text = SERVICE.replace("uji.catat_atau_gagal", "uji.tidak_terdaftar")
    error = _only(deploy(text), "catat")
    assert "uji.tidak_terdaftar" in error["message"]


@pytest.mark.parametrize("old, new, element, needle", [
    ("approved == True", "approved.__class__", "f_setuju", "__class__"),
    ("approved == True", "open('/etc/passwd')", "f_setuju", "open()"),
    ('status = "disetujui"', "import os", "tandai_setuju", "import"),
    ('status = "ditolak"', "r = '{0.__class__}'.format(1)", "tandai_tolak", "format"),
])
def test_conditions_and_scripts_that_fail_the_safety_check_are_refused(deploy, old, new, element, needle):
    error = _only(deploy(TWO_LANES.replace(old, new)), element)
    assert needle in error["message"], error
    assert "scripting" in error["fix"] or error["fix"]


@pytest.mark.parametrize("value", ["PT1X", "satu jam", "R/P1D/P2D", "2026-13-45T99:00:00"])
def test_a_timer_that_does_not_parse_is_refused(deploy, value):
    error = _only(deploy(TIMER.replace("<bpmn:timeDuration>PT1H</bpmn:timeDuration>",
                                       f"<bpmn:timeDuration>{value}</bpmn:timeDuration>")), "tunggu")
    assert value in error["message"] and ("ISO 8601" in error["message"] or "ISO 8601" in error["fix"])


def test_a_user_task_without_pasal_is_a_warning_and_deploys(deploy, api):
    text = TWO_LANES.replace('<spiffworkflow:property name="pasal" value="12(2)c" />', "", 1)
    deployed = deploy(text, expect=201)
    [warning] = [w for w in deployed["warnings"] if w["element_id"] == "periksa"]
    assert warning["severity"] == "warning" and "pasal" in warning["message"] and "pasal" in warning["fix"]
    case = api.start("uji_dua_lajur")
    assert api.complete(case["tasks"][0]["id"])["tasks"][0]["element_id"] == "periksa"


def test_every_problem_of_a_file_is_reported_at_once(deploy):
    text = (TWO_LANES.replace('name="verifikator"', 'name="Bagian X"')
            .replace("approved == True", "approved.__class__")
            .replace('status = "ditolak"', "import os"))
    report = deploy(text)
    assert {"periksa", "f_setuju", "tandai_tolak"} <= {e["element_id"] for e in report["errors"]}


# --- ISO 8601 as modellers write it ------------------------------------------------------------------

BOUNDARY_CYCLE = (BPMN / "timer_sla.bpmn").read_text()


@pytest.mark.parametrize("kind, value", [
    ("timeDuration", "PT1H"),
    ("timeDuration", "P1D"),
    ("timeDate", "2031-01-02T09:00:00+07:00"),
    ("timeDate", "2031-01-02T02:00:00Z"),
])
def test_iso_timers_are_accepted_as_written_and_stored_byte_for_byte(deploy, api, db, kind, value):
    text = TIMER.replace("<bpmn:timeDuration>PT1H</bpmn:timeDuration>", f"<bpmn:{kind}>{value}</bpmn:{kind}>")
    deployed = deploy(text, expect=201)
    assert deployed["processes"][0]["process_id"] == "uji_timer_antara"
    with db.reader() as session:
        assert session.scalars(select(BpmnModel.xml)).one() == text.encode()  # no quoting added
    case = api.start("uji_timer_antara", as_="admin_sistem")
    with db.reader() as session:
        due = session.get(Instance, case["id"]).next_timer_at
    if kind == "timeDate":
        assert due == datetime(2031, 1, 2, 2, 0, tzinfo=timezone.utc)
    else:
        expected = clock.now() + (timedelta(hours=1) if value == "PT1H" else timedelta(days=1))
        assert abs((due - expected).total_seconds()) < 60


@pytest.mark.parametrize("cycle, fires", [("R3/PT10M", 3), ("R/P1D", 4)])
def test_iso_cycles_on_a_boundary_timer_fire_each_time(deploy, api, db, app, cycle, fires):
    """``R3/PT10M`` fires three times; ``R/P1D`` (unbounded) fires every day the task stays open."""
    step = timedelta(minutes=10) if cycle.endswith("PT10M") else timedelta(days=1)
    text = (BOUNDARY_CYCLE.replace("<bpmn:timeCycle>R2/PT1H</bpmn:timeCycle>", f"<bpmn:timeCycle>{cycle}</bpmn:timeCycle>")
            .replace("<bpmn:timeDuration>PT3H</bpmn:timeDuration>", "<bpmn:timeDuration>P30D</bpmn:timeDuration>"))
    deploy(text, expect=201)
    case = api.start("uji_sla", as_="verifikator")
    fired = 0
    for _ in range(fires + 1):
        clock.advance(step + timedelta(seconds=1))
        fired += worker.run_once(db, app.config)
    events = api.call("GET", f"/api/v1/process-instances/{case['id']}/events", as_="auditor", expect=200).get_json()
    reminders = [e for e in events["items"] if e["type"] == "service.run"]
    assert len(reminders) == (3 if cycle == "R3/PT10M" else fires + 1)
    assert api.call("GET", f"/api/v1/process-instances/{case['id']}", as_="verifikator",
                    expect=200).get_json()["state"] == "running"
