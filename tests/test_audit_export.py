"""An auditor exports a case or a period of the journal as CSV or JSON; NIK and NPWP never leave unmasked."""
from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

from click.testing import CliRunner
from conftest import BPMN

from engine import clock

EXPORT = "/api/v1/audit/export"
NIK, NPWP = "3572010101010001", "01.234.567.8-901.000"
PERSONAL = {"nama": "CV Maju Jaya", "nik": NIK, "npwp": NPWP, "nomor_ktp": "12345",
            "catatan": "NIK pemohon 3572 0101 0101 0001 cocok dengan KTP"}


def _digits_leak(body: str) -> list[str]:
    return [n for n in (NIK, "3572 0101 0101 0001", NPWP, "012345678901000", "12345") if n in body]


def _case(api, data: dict) -> int:
    case = api.start("uji_dua_lajur", data, as_="penyedia")
    api.complete(case["tasks"][0]["id"], {"alamat": f"Jl. Merdeka, NPWP {NPWP}"}, as_="penyedia")
    return case["id"]


def test_a_case_as_json_and_csv_with_personal_numbers_masked(api):
    api.deploy(BPMN / "two_lanes.bpmn")
    mine, other = _case(api, PERSONAL), _case(api, {"nama": "CV Lain"})
    response = api.call("GET", EXPORT, as_="auditor", expect=200, query_string={"instance": mine})
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    assert _digits_leak(body) == []
    document = json.loads(body)
    assert document["scope"]["instance_id"] == mine
    events = document["events"]
    assert {e["instance_id"] for e in events} == {mine}
    assert [e["seq"] for e in events] == [1, 2, 3, 4]
    assert events[0]["process_id"] == "uji_dua_lajur" and events[0]["event_id"] and events[0]["hash"]
    after = events[0]["data"]["after"]
    assert after["nik"] == "3572********0001" and after["npwp"] == "0123*******1000"
    assert after["nomor_ktp"] == "*****" and after["nama"] == "CV Maju Jaya"
    assert "3572********0001" in after["catatan"]

    table = api.call("GET", EXPORT, as_="auditor", expect=200, query_string={"instance": mine, "format": "csv"})
    assert table.mimetype == "text/csv"
    text = table.get_data(as_text=True)
    assert _digits_leak(text) == []
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [int(r["seq"]) for r in rows] == [1, 2, 3, 4] and {r["instance_id"] for r in rows} == {str(mine)}
    assert json.loads(rows[0]["data"])["after"]["nik"] == "3572********0001"
    assert other not in {e["instance_id"] for e in events}


def test_a_period_holds_the_events_written_within_it(api):
    api.deploy(BPMN / "two_lanes.bpmn")
    before = _case(api, {"nama": "CV Lama"})
    clock.advance(timedelta(days=10))
    start = clock.now()
    inside = _case(api, PERSONAL)
    end = clock.now() + timedelta(seconds=1)
    clock.advance(timedelta(days=10))
    _case(api, {"nama": "CV Baru"})
    period = {"from": start.isoformat(), "to": end.isoformat()}
    events = api.call("GET", EXPORT, as_="auditor", expect=200, query_string=period).get_json()["events"]
    assert {e["instance_id"] for e in events} == {inside} and len(events) == 4
    assert before not in {e["instance_id"] for e in events}


def test_bad_export_requests_are_problems_and_only_auditors_export(api):
    api.deploy(BPMN / "two_lanes.bpmn")
    case = _case(api, {"nama": "CV"})
    for query, field in (({}, "instance"), ({"from": "2026-12-01T00:00:00Z"}, "instance"),
                         ({"from": "2026-12-02T00:00:00Z", "to": "2026-12-01T00:00:00Z"}, "to"),
                         ({"instance": case, "format": "xls"}, "format"), ({"from": "kemarin", "to": "x"}, "from")):
        problem = api.call("GET", EXPORT, as_="auditor", expect=422, query_string=query)
        assert problem.mimetype == "application/problem+json", query
        assert field in json.dumps(problem.get_json()["errors"]), (query, problem.get_json())
    api.call("GET", EXPORT, as_="auditor", expect=404, query_string={"instance": 999})
    for role in ("kepala", "penyedia", "admin_sistem"):
        api.call("GET", EXPORT, as_=role, expect=403, query_string={"instance": case})


def test_the_command_writes_the_same_export_to_a_file(app, api, monkeypatch, tmp_path):
    from web.cli import main

    api.deploy(BPMN / "two_lanes.bpmn")
    case = _case(api, PERSONAL)
    monkeypatch.setenv("ALUR_DATABASE_URL", app.config["DATABASE_URL"])
    monkeypatch.setenv("ALUR_VAR_DIR", app.config["VAR_DIR"])
    out = tmp_path / "kasus.csv"
    result = CliRunner().invoke(main, ["audit", "export", "--instance", str(case), "--format", "csv",
                                       "--output", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_bytes().decode()
    assert _digits_leak(text) == [] and len(list(csv.DictReader(io.StringIO(text)))) == 4
    api_text = api.call("GET", EXPORT, as_="auditor", expect=200,
                        query_string={"instance": case, "format": "csv"}).get_data(as_text=True)
    assert text == api_text
    refused = CliRunner().invoke(main, ["audit", "export", "--from", "2026-12-01"])
    assert refused.exit_code == 2 and "instance" in refused.output
