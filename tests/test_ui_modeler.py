"""The analyst's pages without JavaScript: the list of deployed diagrams and their versions, upload and
deploy with the validation report (element, problem, fix), download of any version, the modeler page."""
from __future__ import annotations

import io

import pytest
from conftest import BPMN, Browserless


@pytest.fixture
def analyst(client) -> Browserless:
    browser = Browserless(client)
    browser.login("analis")
    return browser


def _upload(analyst, name: str, data: bytes, expect: int):
    return analyst.post("/model/unggah", {"file": (io.BytesIO(data), name)}, expect=expect,
                        content_type="multipart/form-data").get_data(as_text=True)


def test_upload_refused_shows_each_element_and_its_fix_then_deploys(analyst, api):
    good = (BPMN / "two_lanes.bpmn").read_bytes()
    bad = good.replace(b'name="verifikator"', b'name="Bagian Umum"')
    html = _upload(analyst, "two_lanes.bpmn", bad, 422)
    assert 'data-testid="refused"' in html and "two_lanes.bpmn" in html
    assert 'data-element-id="periksa" data-severity="error"' in html  # the user task in that lane
    assert 'lane &#34;Bagian Umum&#34;, which is not a role of Alur' in html
    assert "Perbaikan:" in html and "verifikator" in html
    assert api.call("GET", "/api/v1/process-definitions", as_="analis", expect=200).get_json()["items"] == []

    html = _upload(analyst, "two_lanes.bpmn", good, 201)
    assert 'data-testid="deployed"' in html and "uji_dua_lajur" in html
    changed = good.replace(b'name="Periksa permohonan"', b'name="Periksa berkas"')
    html = _upload(analyst, "two_lanes.bpmn", changed, 201)
    assert 'data-process="uji_dua_lajur" data-version="2"' in html
    assert 'data-process="uji_dua_lajur" data-version="1"' in html

    first = analyst.get("/model/uji_dua_lajur/unduh?versi=1")
    assert first.headers["Content-Disposition"] == 'attachment; filename="uji_dua_lajur-v1.bpmn"'
    assert first.data == good
    assert analyst.get("/model/uji_dua_lajur/unduh").data == changed
    analyst.get("/model/uji_dua_lajur/unduh?versi=9", expect=404)


def test_upload_without_a_file_or_with_hostile_xml_is_refused_plainly(analyst):
    html = analyst.post("/model/unggah", {}, expect=422, content_type="multipart/form-data").get_data(as_text=True)
    assert "Upload a .bpmn file" in html
    hostile = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
    html = _upload(analyst, "evil.bpmn", hostile, 422)
    assert "DOCTYPE" in html


def test_modeler_pages(analyst, api):
    api.deploy(BPMN / "two_lanes.bpmn")
    html = analyst.get("/model").get_data(as_text=True)
    assert 'href="/model/uji_dua_lajur?versi=1"' in html and 'href="/model/uji_dua_lajur/unduh?versi=1"' in html
    html = analyst.get("/model/uji_dua_lajur?versi=1").get_data(as_text=True)
    assert "bpmn-modeler.production.min.js" in html and "/model/uji_dua_lajur/unduh?versi=1" in html
    assert '"verifikator"' in html and "uji.pendaftaran" in html  # the roles and forms the form offers
    assert "xml_url\": null" in analyst.get("/model/baru").get_data(as_text=True)
    analyst.get("/model/tidak_ada", expect=404)
    bundle = analyst.client.get("/vendor/bpmn-js/bpmn-modeler.production.min.js")
    assert bundle.status_code == 200
    bundle.close()


def test_only_an_analyst_sees_the_pages(client):
    browser = Browserless(client)
    browser.login("kepala")
    browser.get("/model", expect=403)
    assert 'data-nav="modeler.index"' not in browser.get("/beranda").get_data(as_text=True)
