"""Outgoing HTTP that cannot be turned against the inside of the network (SSRF).

The host is resolved once; every address it resolves to must be public (not loopback, private, link-local,
multicast, reserved, shared or a cloud metadata address) unless the host, or the address, is on the
administrator's allow-list (``ALUR_WEBHOOK_ALLOW_HOSTS``). The connection then goes to exactly that checked
address, with the original name in the Host header and for TLS, so a DNS answer that changes between the
check and the connection (rebinding) changes nothing. Redirects are never followed, and no proxy from the
environment is used.
"""
from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_RESPONSE = 64 * 1024
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
# Cloud metadata services that are not already caught by the link-local and private checks.
METADATA = {ipaddress.ip_address("100.100.100.200"), ipaddress.ip_address("fd00:ec2::254")}


NAT64 = ipaddress.ip_network("64:ff9b::/96")


class Refused(Exception):
    """The URL may not be called: a blocked address, a bad scheme, or a name that does not resolve."""


class Unresolvable(Refused):
    """The host name does not resolve (now); it may later."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    latency_ms: int
    location: str | None = None


def parse(url: str) -> Target:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise Refused(f"URL tidak sah / invalid URL: {exc}") from None
    if parts.scheme not in ("http", "https"):
        raise Refused("Hanya http:// atau https:// / Only http:// and https:// URLs are allowed")
    if not parts.hostname:
        raise Refused("URL tanpa nama host / The URL has no host")
    if parts.username or parts.password:
        raise Refused("URL tidak boleh memuat nama pengguna atau sandi / The URL must not carry credentials")
    if parts.fragment:
        raise Refused("URL tidak boleh memuat #fragmen / The URL must not carry a #fragment")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(parts.scheme, parts.hostname.lower(), port or (443 if parts.scheme == "https" else 80), path)


class AllowList:
    """Host names, addresses and networks (CIDR) that may be called even though they are internal."""

    def __init__(self, spec: str | list[str] | None):
        items = spec.split(",") if isinstance(spec, str) else list(spec or [])
        self.names: set[str] = set()
        self.networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        for item in (i.strip().lower() for i in items):
            if not item:
                continue
            try:
                self.networks.append(ipaddress.ip_network(item.strip("[]"), strict=False))
            except ValueError:
                self.names.add(item.rstrip("."))

    def allows(self, host: str, address: Address | None = None) -> bool:
        if host.rstrip(".") in self.names:
            return True
        return address is not None and any(address in net for net in self.networks)


def blocked_reason(address: Address) -> str | None:
    """Why an address is internal, or None when it is a public unicast address."""
    if isinstance(address, ipaddress.IPv6Address):
        nat64 = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF) if address in NAT64 else None
        for embedded in (address.ipv4_mapped, address.sixtofour, (address.teredo or (None, None))[1], nat64):
            if embedded is not None and (reason := blocked_reason(embedded)):
                return f"{reason} (inside IPv6 {address})"
    checks = [("loopback", address.is_loopback), ("link-local", address.is_link_local),
              ("multicast", address.is_multicast), ("private", address.is_private),
              ("reserved", address.is_reserved), ("unspecified", address.is_unspecified),
              ("metadata", address in METADATA), ("not global", not address.is_global)]
    return next((name for name, hit in checks if hit), None)


def resolve(target: Target, allow: AllowList) -> list[Address]:
    """The checked addresses to connect to; ``Refused`` if any address of the name is internal."""
    try:
        literal = ipaddress.ip_address(target.host.strip("[]"))
        addresses = [literal]
    except ValueError:
        try:
            infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise Unresolvable(f"Nama host tidak ditemukan / Host {target.host} does not resolve: {exc}") from None
        addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos))
    for address in addresses:
        reason = blocked_reason(address)
        if reason and not allow.allows(target.host, address):
            raise Refused(f"Alamat {address} ({reason}) diblokir; tambahkan host ke ALUR_WEBHOOK_ALLOW_HOSTS bila "
                          f"memang dimaksud / Address {address} of {target.host} is {reason} and blocked; add the "
                          f"host to ALUR_WEBHOOK_ALLOW_HOSTS if it is meant")
    return addresses


def check_url(url: str, allow: AllowList) -> Target:
    """Refuse a subscription URL early when it already points inside; a name that does not resolve yet is
    accepted (it is checked again, like every URL, when each delivery connects)."""
    target = parse(url)
    try:
        resolve(target, allow)
    except Unresolvable:
        pass
    return target


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: Address, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((str(self._address), self.port), self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: Address, timeout: float, context: ssl.SSLContext):
        super().__init__(host, port, timeout=timeout, context=context)
        self._address = address

    def connect(self):
        sock = socket.create_connection((str(self._address), self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float, allow: AllowList,
         context: ssl.SSLContext | None = None) -> Response:
    """POST ``body`` to ``url`` through the checks above; raises ``Refused`` or ``OSError``."""
    target = parse(url)
    addresses = resolve(target, allow)
    deadline = time.monotonic() + timeout
    last_error: OSError | None = None
    for address in addresses:
        started = time.perf_counter()
        if target.scheme == "https":
            conn = _PinnedHTTPS(target.host, target.port, address, timeout, context or ssl.create_default_context())
        else:
            conn = _PinnedHTTP(target.host, target.port, address, timeout)
        try:
            conn.connect()
        except OSError as exc:
            last_error = exc
            conn.close()
            continue
        try:
            conn.request("POST", target.path, body=body, headers=headers)
            response = conn.getresponse()
            latency = int((time.perf_counter() - started) * 1000)
            data = _read_limited(response, deadline)
            return Response(response.status, data, latency, response.getheader("Location"))
        finally:
            conn.close()
    raise last_error or OSError(f"no address to connect to for {target.host}")


def _read_limited(response: http.client.HTTPResponse, deadline: float) -> bytes:
    """At most 64 KiB of the answer, and never past the deadline (a receiver that trickles is cut off)."""
    chunks, size = [], 0
    while size < MAX_RESPONSE and time.monotonic() < deadline:
        chunk = response.read1(min(8192, MAX_RESPONSE - size)) if hasattr(response, "read1") else response.read(8192)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)
