"""The restricted evaluator for user-authored conditions and scripts.

Diagrams are written by analysts, not by us, so their expressions are untrusted code. They are compiled
with RestrictedPython (no imports, no names or attributes beginning with ``_``, no ``str.format``), run
with a short list of safe functions, and bounded: a step budget and a CPU-time budget enforced by a
trace function on the script's own frames, and size guards on ``*``, ``**`` and ``<<`` so that neither
a long loop nor a single huge value can hold the server.

What a script may call is ``SAFE_FUNCTIONS`` below, documented in ``docs/scripting.md``.
"""
from __future__ import annotations

import ast
import math
import sys
import time
from datetime import date, datetime, timedelta
from functools import lru_cache
from operator import mul, lshift

from RestrictedPython import RestrictingNodeTransformer, compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Guards import (
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr,
)

FILENAME = "<alur-script>"
MAX_STEPS = 200_000
MAX_CPU_SECONDS = 2.0
MAX_SEQUENCE = 100_000
MAX_INT_BITS = 4096
MAX_SOURCE = 20_000


class SandboxViolation(Exception):
    """The code tried something the sandbox does not allow, or broke a limit."""


class ScriptError(Exception):
    """A script or expression failed; carries the line and its text for the error report."""

    def __init__(self, message: str, line: int | None = None, offending_line: str | None = None):
        super().__init__(message)
        self.line = line
        self.offending_line = offending_line


# --- guards ---------------------------------------------------------------------------------

def _sized(value) -> int:
    try:
        return len(value)
    except TypeError:
        return 1


def _guard_binop(op: str, left, right):
    if op == "mult":
        for seq, count in ((left, right), (right, left)):
            if isinstance(seq, (str, bytes, list, tuple)) and isinstance(count, int):
                if _sized(seq) * max(count, 0) > MAX_SEQUENCE:
                    raise SandboxViolation(f"result longer than {MAX_SEQUENCE} items")
        return mul(left, right)
    if op == "pow":
        if isinstance(left, int) and isinstance(right, int) and right > 0:
            if abs(left) > 1 and right * max(abs(left).bit_length(), 1) > MAX_INT_BITS:
                raise SandboxViolation(f"number larger than {MAX_INT_BITS} bits")
        return left ** right
    if op == "lshift":
        if isinstance(left, int) and isinstance(right, int) and right + left.bit_length() > MAX_INT_BITS:
            raise SandboxViolation(f"number larger than {MAX_INT_BITS} bits")
        return lshift(left, right)
    raise SandboxViolation(op)


_GUARDED_OPS = {ast.Mult: "mult", ast.Pow: "pow", ast.LShift: "lshift"}


class _Policy(RestrictingNodeTransformer):
    """RestrictedPython's policy, plus size-guarded arithmetic and no class definitions."""

    def visit_BinOp(self, node: ast.BinOp):
        node = self.node_contents_visit(node)
        op = _GUARDED_OPS.get(type(node.op))
        if op is None:
            return node
        call = ast.Call(
            func=ast.Name("_binop_", ast.Load()),
            args=[ast.Constant(op), node.left, node.right],
            keywords=[],
        )
        return ast.fix_missing_locations(ast.copy_location(call, node))

    def visit_AugAssign(self, node: ast.AugAssign):
        if type(node.op) in _GUARDED_OPS:
            self.error(node, "Augmented *=, **= and <<= are not allowed; write x = x * y instead.")
        return super().visit_AugAssign(node)

    def visit_ClassDef(self, node):
        self.error(node, "Class definitions are not allowed in scripts.")
        return node

    def visit_AsyncFunctionDef(self, node):
        self.error(node, "Async functions are not allowed in scripts.")
        return node

    def visit_Global(self, node):
        self.error(node, "global is not allowed in scripts.")
        return node

    def visit_Nonlocal(self, node):
        self.error(node, "nonlocal is not allowed in scripts.")
        return node


def _getitem(obj, key):
    if isinstance(key, str) and key.startswith("_"):
        raise SandboxViolation(f'key "{key}" begins with "_"')
    return obj[key]


def _getiter(obj):
    return iter(obj)


def _write(obj):
    if isinstance(obj, (dict, list, set)):
        return obj
    raise SandboxViolation(f"cannot modify an object of type {type(obj).__name__}")


def _inplacevar(op: str, x, y):
    ops = {"+=": lambda: x + y, "-=": lambda: x - y, "/=": lambda: x / y, "//=": lambda: x // y,
           "%=": lambda: x % y, "|=": lambda: x | y, "&=": lambda: x & y, "^=": lambda: x ^ y,
           ">>=": lambda: x >> y}
    if op not in ops:
        raise SandboxViolation(f"operator {op} is not allowed")
    result = ops[op]()
    if isinstance(result, (str, list, tuple, bytes)) and len(result) > MAX_SEQUENCE:
        raise SandboxViolation(f"result longer than {MAX_SEQUENCE} items")
    return result


def _safe_range(*args):
    r = range(*args)
    if len(r) > MAX_SEQUENCE:
        raise SandboxViolation(f"range longer than {MAX_SEQUENCE}")
    return r


# --- the functions a script may call ---------------------------------------------------------

def _now() -> str:
    from . import clock

    return clock.now().isoformat()


def _today() -> str:
    from . import clock

    return clock.now().date().isoformat()


def _add_working_days(start: str, days: int) -> str:
    """ISO date ``days`` working days (Monday to Friday) after ``start``."""
    current = date.fromisoformat(start[:10])
    remaining = int(days)
    if abs(remaining) > 3660:
        raise SandboxViolation("too many working days")
    step = 1 if remaining >= 0 else -1
    while remaining:
        current += timedelta(days=step)
        if current.weekday() < 5:
            remaining -= step
    return current.isoformat()


def _days_between(start: str, end: str) -> int:
    return (date.fromisoformat(end[:10]) - date.fromisoformat(start[:10])).days


def _add_duration(start: str, seconds: float) -> str:
    return (datetime.fromisoformat(start) + timedelta(seconds=float(seconds))).isoformat()


SAFE_FUNCTIONS = {
    "abs": abs, "all": all, "any": any, "bool": bool, "dict": dict, "divmod": divmod,
    "enumerate": enumerate, "float": float, "int": int, "isinstance": isinstance, "len": len,
    "list": list, "max": max, "min": min, "range": _safe_range, "reversed": reversed, "round": round,
    "set": set, "sorted": sorted, "str": str, "sum": sum, "tuple": tuple, "zip": zip,
    "ceil": math.ceil, "floor": math.floor,
    "now": _now, "today": _today, "add_working_days": _add_working_days,
    "days_between": _days_between, "add_duration": _add_duration,
}
_CONSTANTS = {"None": None, "True": True, "False": False}

_GUARDS = {
    "_getattr_": safer_getattr,
    "_getitem_": _getitem,
    "_getiter_": _getiter,
    "_write_": _write,
    "_inplacevar_": _inplacevar,
    "_binop_": _guard_binop,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
}
RESERVED = frozenset(SAFE_FUNCTIONS) | frozenset(_GUARDS)


def _globals() -> dict:
    builtins = dict(SAFE_FUNCTIONS)
    builtins.update(_CONSTANTS)
    g = {"__builtins__": builtins, "__name__": "alur_script"}
    g.update(_GUARDS)
    return g


# --- compilation ----------------------------------------------------------------------------

@lru_cache(maxsize=4096)
def compile_expression(source: str):
    return _compile(source, compile_restricted_eval)


@lru_cache(maxsize=4096)
def compile_script(source: str):
    return _compile(source, compile_restricted_exec)


def _compile(source: str, compiler):
    if len(source) > MAX_SOURCE:
        raise ScriptError(f"script longer than {MAX_SOURCE} characters")
    result = compiler(source, filename=FILENAME, policy=_Policy)
    if result.errors:
        message = "; ".join(result.errors)
        line = _line_of(result.errors[0])
        raise ScriptError(message, line, _source_line(source, line))
    return result.code


def check(source: str, mode: str = "eval") -> None:
    """Raise ``ScriptError`` when the source would be refused at run time (used at deploy)."""
    (compile_expression if mode == "eval" else compile_script)(source)


def _line_of(message: str) -> int | None:
    marker = "Line "
    if marker in message:
        digits = message.split(marker, 1)[1].split(":", 1)[0]
        if digits.isdigit():
            return int(digits)
    return None


def _source_line(source: str, line: int | None) -> str | None:
    if not line:
        return None
    lines = source.splitlines()
    return lines[line - 1] if 0 < line <= len(lines) else None


# --- running ----------------------------------------------------------------------------------

class _Budget:
    """A trace function that counts the script's own line events and watches the CPU clock."""

    def __init__(self):
        self.steps = 0
        self.deadline = time.process_time() + MAX_CPU_SECONDS

    def __call__(self, frame, event, arg):
        if frame.f_code.co_filename != FILENAME:
            return None
        return self._local

    def _local(self, frame, event, arg):
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise SandboxViolation(f"script ran more than {MAX_STEPS} steps")
        if self.steps % 1000 == 0 and time.process_time() > self.deadline:
            raise SandboxViolation(f"script used more than {MAX_CPU_SECONDS} s of CPU")
        return self._local


def _run(code, namespace: dict, source: str, mode: str):
    budget = _Budget()
    previous = sys.gettrace()
    sys.settrace(budget)
    try:
        if mode == "eval":
            return eval(code, namespace)  # noqa: S307 - compiled by RestrictedPython, guarded above
        exec(code, namespace)  # noqa: S102 - compiled by RestrictedPython, guarded above
        return None
    except SandboxViolation as exc:
        raise ScriptError(f"Sandbox: {exc}", *_where(exc, source)) from None
    except RecursionError:
        raise ScriptError("Sandbox: recursion too deep") from None
    except MemoryError:
        raise ScriptError("Sandbox: out of memory") from None
    except Exception as exc:  # the user's own error: report it with its line
        detail = f"{type(exc).__name__}: {exc}"
        raise ScriptError(detail, *_where(exc, source)) from None
    finally:
        sys.settrace(previous)


def _where(exc: BaseException, source: str) -> tuple[int | None, str | None]:
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == FILENAME:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line, _source_line(source, line)


def evaluate(expression: str, data: dict):
    """Value of ``expression`` with the task's data as variables."""
    code = compile_expression(expression.strip())
    namespace = _globals()
    namespace.update({k: v for k, v in data.items() if k not in RESERVED})
    return _run(code, namespace, expression, "eval")


def execute(script: str, data: dict) -> None:
    """Run ``script`` with the task's data as variables; assignments update ``data`` in place."""
    code = compile_script(script)
    base = _globals()
    namespace = dict(base)
    namespace.update({k: v for k, v in data.items() if k not in RESERVED})
    _run(code, namespace, script, "exec")
    result = {k: v for k, v in namespace.items()
              if k not in base and not k.startswith("_") and not callable(v)}
    data.clear()
    data.update(result)
