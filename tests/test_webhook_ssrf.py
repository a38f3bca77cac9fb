"""The SSRF guard: internal addresses are refused when subscribing and again when each delivery connects;
the connection goes to the address that was checked, so a DNS answer that changes (rebinding) cannot
steer it inside; only an administrator's allow-list opens an internal host.
"""
from __future__ import annotations

import ipaddress
import socket
from datetime import timedelta

import pytest

from conftest import BPMN
from engine import clock
from receivers import Receiver
from test_webhooks import deliver_until_idle, rows, subscribe
from webhooks import net

INTERNAL_URLS = [
    "http://127.0.0.1:8170/hook",
    "http://localhost:8170/hook",
    "http://127.1.2.3/",
    "http://10.0.0.5/",
    "http://172.16.0.1/",
    "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.100.100.200/latest/meta-data/",
    "http://100.64.0.1/",
    "http://0.0.0.0/",
    "http://224.0.0.1/",
    "http://[::1]:8170/hook",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:169.254.169.254]/",
    "http://[fd00:ec2::254]/",
    "http://[fe80::1]/",
    "http://[64:ff9b::a9fe:a9fe]/",
]


@pytest.mark.parametrize("url", INTERNAL_URLS)
def test_internal_addresses_are_refused_without_the_allow_list(api, url):
    refused = subscribe(api, url, expect=422)
    assert "ALUR_WEBHOOK_ALLOW_HOSTS" in refused["errors"]["url"][0]


def test_the_allow_list_opens_only_what_it_names():
    allow = net.AllowList("127.0.0.1, monitor.lpse.local, 10.20.0.0/16")
    assert allow.allows("127.0.0.1", ipaddress.ip_address("127.0.0.1"))
    assert allow.allows("monitor.lpse.local", ipaddress.ip_address("10.99.0.1"))
    assert allow.allows("anything.example", ipaddress.ip_address("10.20.3.4"))
    assert not allow.allows("localhost", ipaddress.ip_address("127.0.0.2"))
    assert not allow.allows("other.lpse.local", ipaddress.ip_address("10.21.0.1"))
    with pytest.raises(net.Refused, match="169.254.169.254"):
        net.resolve(net.parse("http://169.254.169.254/"), allow)
    assert net.resolve(net.parse("http://127.0.0.1:8170/"), allow) == [ipaddress.ip_address("127.0.0.1")]


def test_the_check_holds_when_the_delivery_connects(app, api, db):
    """An endpoint allowed once is refused when the allow-list no longer names it: no request leaves."""
    receiver = Receiver().start()
    try:
        app.config["WEBHOOK_ALLOW_HOSTS"] = "127.0.0.1,localhost"
        by_address = subscribe(api, receiver.url, ["task.created"])
        by_name = subscribe(api, f"http://localhost:{receiver.port}/hook", ["task.created"])
        app.config["WEBHOOK_ALLOW_HOSTS"] = ""
        api.deploy(BPMN / "two_lanes.bpmn")
        api.start("uji_dua_lajur")
        deliver_until_idle(app)
        assert receiver.received == []
        for endpoint in (by_address, by_name):
            [row] = rows(db, endpoint_id=endpoint["id"])
            assert row.state == "failed" and "loopback" in row.last_error and "diblokir" in row.last_error
    finally:
        receiver.stop()


def _fake_dns(monkeypatch, answers: dict[str, list[list[str]]]) -> list[str]:
    """Stand in for the DNS server: each look-up of a name takes the next answer in its list."""
    asked: list[str] = []
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in answers:
            return real(host, port, *args, **kwargs)
        asked.append(host)
        queue = answers[host]
        addresses = queue.pop(0) if len(queue) > 1 else queue[0]
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
                for a in addresses]

    monkeypatch.setattr(net.socket, "getaddrinfo", getaddrinfo)
    return asked


def test_dns_rebinding_cannot_steer_the_connection_inside(app, api, db, monkeypatch):
    """The name resolves to a public address for the check; a second look-up would say loopback. The request
    goes to the public address it was checked for, never to the receiver on loopback; and when the name
    resolves to loopback at the next attempt's check, that attempt is refused."""
    receiver = Receiver().start()
    try:
        app.config["DELIVERY_TIMEOUT_SECONDS"] = 1.0
        public, inside = ["93.184.216.34"], ["127.0.0.1"]
        asked = _fake_dns(monkeypatch, {"rebind.example": [public, public, inside]})
        endpoint = subscribe(api, f"http://rebind.example:{receiver.port}/hook", ["task.created"])
        asked.clear()
        api.deploy(BPMN / "two_lanes.bpmn")
        api.start("uji_dua_lajur")
        deliver_until_idle(app)
        assert receiver.received == [] and asked == ["rebind.example"]  # one look-up: the one that was checked
        [row] = rows(db, endpoint_id=endpoint["id"])
        assert row.state == "pending" and row.attempts == 1  # the public address did not answer: retried later

        clock.advance(timedelta(minutes=1))
        deliver_until_idle(app)
        [row] = rows(db, endpoint_id=endpoint["id"])
        assert receiver.received == [] and row.state == "failed" and "127.0.0.1 (loopback)" in row.last_error
    finally:
        receiver.stop()


def test_the_connection_goes_to_the_checked_address_with_the_original_host_header(app, api, monkeypatch):
    receiver = Receiver().start()
    try:
        app.config["WEBHOOK_ALLOW_HOSTS"] = "127.0.0.0/8"
        asked = _fake_dns(monkeypatch, {"pinned.example": [["127.0.0.1"], ["127.0.0.1"], ["10.255.255.1"]]})
        subscribe(api, f"http://pinned.example:{receiver.port}/hook", ["task.created"])
        asked.clear()
        api.deploy(BPMN / "two_lanes.bpmn")
        api.start("uji_dua_lajur")
        deliver_until_idle(app)
        [item] = receiver.received
        assert item.headers["host"] == f"pinned.example:{receiver.port}"
        assert asked == ["pinned.example"]  # resolved once, for the check; the connection reused that answer
    finally:
        receiver.stop()


def test_a_name_with_any_internal_address_is_refused(api, monkeypatch):
    _fake_dns(monkeypatch, {"mixed.example": [["93.184.216.34", "10.0.0.7"]]})
    refused = subscribe(api, "https://mixed.example/hook", expect=422)
    assert "10.0.0.7" in refused["errors"]["url"][0]


def test_a_name_that_does_not_resolve_yet_may_be_subscribed(api):
    created = subscribe(api, "https://webhooks.lpse.invalid/alur")
    assert created["state"] == "active"
