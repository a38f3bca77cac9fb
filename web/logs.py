"""Logging configured once, with personal numbers (NIK, NPWP) masked in every record."""
from __future__ import annotations

import logging
import re

# 15 or 16 digits, bare or in the dotted NPWP layout (01.234.567.8-901.000).
_PERSONAL = re.compile(r"(?<!\d)(\d{2}[.\s]?\d{3}[.\s]?\d{3}[.\s]?\d[-\s]?\d{3}[.\s]?\d{3}|\d{15,16})(?!\d)")


def mask(text: str) -> str:
    def _mask(m: re.Match) -> str:
        digits = re.sub(r"\D", "", m.group(0))
        return digits[:4] + "*" * (len(digits) - 8) + digits[-4:]

    return _PERSONAL.sub(_mask, text)


class MaskPersonalNumbers(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask(message)
        if masked != message:
            record.msg, record.args = masked, None
        for key, value in list(record.__dict__.items()):
            if isinstance(value, str) and key not in ("msg", "name", "levelname", "pathname", "filename"):
                record.__dict__[key] = mask(value)
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = mask(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


class _Format(logging.Formatter):
    _skip = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        base = super().format(record)
        extra = {k: v for k, v in record.__dict__.items() if k not in self._skip}
        if extra:
            base += " " + " ".join(f"{k}={mask(str(v))}" for k, v in sorted(extra.items()))
        return base


def configure(level: str = "INFO") -> None:
    root = logging.getLogger()
    if getattr(root, "_alur_configured", False):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(_Format("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.addFilter(MaskPersonalNumbers())
    root.addHandler(handler)
    root.setLevel(level)
    # SpiffWorkflow logs every task state change at INFO: the journal records what matters, so its chatter
    # (a line per task of every case the worker touches) is kept for DEBUG.
    if logging.getLevelName(level) != logging.DEBUG:
        logging.getLogger("spiff").setLevel(logging.WARNING)
    root._alur_configured = True
