"""What one delivery attempt came to, whatever the channel."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status: int | None = None  # HTTP status or SMTP reply code
    latency_ms: int | None = None
    error: str | None = None
    response: str | None = None  # the start of the receiver's answer, for the delivery log
    permanent: bool = False  # no point retrying: a refused address, a blocked URL, 410 Gone
    disable_endpoint: bool = False  # the receiver answered 410 Gone
