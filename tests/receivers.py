"""Real receivers on loopback for delivery tests: an HTTP server for webhooks.

Each test takes a free port (``free_port``): a fixed one collides with any other suite running on the machine.
"""
from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def free_port() -> int:
    """A port nobody listens on now (the kernel's choice); a receiver may be started on it later."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


class Receiver:
    """Answers every POST with ``status`` (or what ``answer(received)`` returns) and keeps what it got."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.received: list[Received] = []
        self.status = 200
        self.headers: dict[str, str] = {}
        self.hold: threading.Event | None = None  # set: block each request until released
        self.delay: float = 0.0  # seconds each answer waits (a slow receiver)
        self.inflight = 0  # requests read and not yet answered
        self.got_one = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._lock = threading.Lock()

    def start(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                item = Received(self.path, {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length))
                with receiver._lock:
                    receiver.received.append(item)
                    receiver.inflight += 1
                receiver.got_one.set()
                if receiver.hold is not None:
                    receiver.hold.wait(30)
                if receiver.delay:
                    time.sleep(receiver.delay)
                try:
                    self.send_response(receiver.status)
                    for name, value in receiver.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:
                    pass  # the sender is gone (a killed worker): nothing to answer
                finally:
                    with receiver._lock:
                        receiver.inflight -= 1

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            if self.hold is not None:
                self.hold.set()
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def ids(self) -> list[str]:
        return [r.headers["webhook-id"] for r in self.received]

    def wait_for(self, count: int, timeout: float = 10) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.received) >= count:
                return True
            time.sleep(0.02)
        return False


class SmtpSink:
    """A real SMTP server on loopback (aiosmtpd) that keeps what it accepts.

    ``refuse`` (e.g. ``"451 4.3.0 try again later"``) is answered to DATA while set; ``refuse_rcpt`` maps an
    address to the reply its RCPT TO gets (e.g. ``"550 5.1.1 no such user"``).
    """

    def __init__(self, port: int | None = None, **smtp_options):
        self.port = port or free_port()
        self.messages: list = []
        self.refuse: str | None = None
        self.refuse_rcpt: dict[str, str] = {}
        self.options = smtp_options
        self._controller = None

    def start(self) -> "SmtpSink":
        from email import message_from_bytes, policy

        from aiosmtpd.controller import Controller

        sink = self

        class Handler:
            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
                if address in sink.refuse_rcpt:
                    return sink.refuse_rcpt[address]
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):  # noqa: N802
                if sink.refuse:
                    return sink.refuse
                message = message_from_bytes(envelope.original_content, policy=policy.default)
                sink.messages.append((envelope.mail_from, list(envelope.rcpt_tos), message,
                                      getattr(session, "authenticated", False),
                                      session.ssl is not None))
                return "250 Message accepted for delivery"

        self._controller = Controller(Handler(), hostname="127.0.0.1", port=self.port, **self.options)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
