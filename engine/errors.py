"""One exception tree for everything the services raise; ``web.errors`` turns them into problem+json."""
from __future__ import annotations


class AlurError(Exception):
    status = 400
    title = "Permintaan tidak dapat diproses / Request cannot be processed"
    type = "about:blank"

    def __init__(self, detail: str, **extra):
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(AlurError):
    status = 404
    title = "Tidak ditemukan / Not found"


class Unauthorized(AlurError):
    status = 401
    title = "Perlu masuk / Authentication required"


class Forbidden(AlurError):
    status = 403
    title = "Tidak berwenang / Forbidden"


class Conflict(AlurError):
    status = 409
    title = "Konflik / Conflict"


class ValidationFailed(AlurError):
    """Input that fails validation; ``errors`` maps each field to its messages."""

    status = 422
    title = "Data tidak valid / Invalid data"

    def __init__(self, detail: str, errors: dict | list):
        super().__init__(detail, errors=errors)
        self.errors = errors


class DeployRefused(AlurError):
    """A BPMN file that cannot be deployed; ``errors`` lists each element and what to change."""

    status = 422
    title = "Diagram ditolak / Diagram refused"

    def __init__(self, detail: str, errors: list[dict]):
        super().__init__(detail, errors=errors)
        self.errors = errors


class PayloadTooLarge(AlurError):
    status = 413
    title = "Berkas terlalu besar / Payload too large"


class WorkflowError(AlurError):
    """An error raised while the engine ran a diagram element (bad expression, failing handler)."""

    status = 422
    title = "Kesalahan pada diagram / Workflow error"

    def __init__(self, detail: str, element_id: str | None = None, line: int | None = None,
                 offending_line: str | None = None):
        super().__init__(detail, element_id=element_id, line=line, offending_line=offending_line)
        self.element_id = element_id
        self.line = line
        self.offending_line = offending_line

    def as_dict(self) -> dict:
        return {"element_id": self.element_id, "message": self.detail, "line": self.line,
                "offending_line": self.offending_line}


class TooManyRequests(AlurError):
    """Too many attempts (sign-in throttle); ``retry_after`` says how many seconds to wait."""

    status = 429
    title = "Terlalu banyak percobaan / Too many attempts"

    def __init__(self, detail: str, retry_after: int):
        super().__init__(detail, retry_after=retry_after)
        self.retry_after = retry_after
