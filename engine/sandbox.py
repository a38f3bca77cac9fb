"""The restricted evaluator for user-authored conditions and scripts.

Diagrams are written by analysts, not by us, so their expressions are untrusted code. They are compiled
with RestrictedPython (no imports, no names or attributes beginning with ``_``, no ``str.format``, no
frame or generator internals), run with a short list of safe functions, and bounded by
``engine.sandbox_limits``: steps and CPU time, iterations, the size of every string, list and number a
guarded operation makes (checked before it runs), the total made, call depth, and memory.

What a script may call is ``SAFE_FUNCTIONS``, documented in ``docs/scripting.md``.
"""
from __future__ import annotations

import ast
import json
import sys
from functools import lru_cache

from RestrictedPython import RestrictingNodeTransformer, compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Guards import guarded_iter_unpack_sequence, guarded_unpack_sequence

from . import sandbox_limits as limits
from .sandbox_limits import (
    MAX_CPU_SECONDS, MAX_DEPTH, MAX_INT_BITS, MAX_SEQUENCE, MAX_STEPS, SAFE_FUNCTIONS, SandboxViolation,
)

__all__ = ["SAFE_FUNCTIONS", "MAX_CPU_SECONDS", "MAX_DEPTH", "MAX_INT_BITS", "MAX_SEQUENCE", "MAX_STEPS",
           "SandboxViolation", "ScriptError", "check", "evaluate", "execute"]

FILENAME = "<alur-script>"
MAX_SOURCE = 20_000
MAX_STORED = 1_000_000  # characters of JSON one script variable may take in the case
# Builtins a script might reach for that are deliberately not there; named at deploy, not at run time.
UNAVAILABLE = frozenset({
    "eval", "exec", "compile", "open", "input", "print", "getattr", "setattr", "delattr", "hasattr", "globals",
    "locals", "vars", "dir", "type", "object", "super", "classmethod", "staticmethod", "property", "memoryview",
    "bytearray", "bytes", "iter", "next", "id", "hash", "callable", "format", "breakpoint", "help", "exit", "quit",
    "__import__", "repr", "ascii", "chr", "ord", "map", "filter", "frozenset", "issubclass", "pow", "hex", "oct",
    "bin", "slice", "complex",
})


class ScriptError(Exception):
    """A script or expression failed; carries the line and its text for the error report."""

    def __init__(self, message: str, line: int | None = None, offending_line: str | None = None):
        super().__init__(message)
        self.line = line
        self.offending_line = offending_line


_GUARDED_OPS = {ast.Mult: "mult", ast.Pow: "pow", ast.LShift: "lshift", ast.Add: "add", ast.Mod: "mod"}
# RestrictedPython refuses frames and code (gi_frame, f_globals, tb_frame: its INSPECT_ATTRIBUTES) when
# compiling; Python 2's names for a function's globals and code are refused here too, and str.format and
# format_map ("{0.__class__}".format reads attributes): at deploy, not only when the case reaches them.
FRAME_ATTRIBUTES = frozenset({"func_globals", "func_code", "im_func", "im_self"})
FORMAT_ATTRIBUTES = frozenset({"format", "format_map"})


class _Policy(RestrictingNodeTransformer):
    """RestrictedPython's policy, plus size-guarded operators and f-strings, and no class definitions."""

    def visit_BinOp(self, node: ast.BinOp):
        node = self.node_contents_visit(node)
        op = _GUARDED_OPS.get(type(node.op))
        if op is None:
            return node
        call = ast.Call(func=ast.Name("_binop_", ast.Load()), args=[ast.Constant(op), node.left, node.right],
                        keywords=[])
        return ast.fix_missing_locations(ast.copy_location(call, node))

    def visit_FormattedValue(self, node: ast.FormattedValue):
        node = self.node_contents_visit(node)
        spec = node.format_spec if node.format_spec is not None else ast.Constant("")
        call = ast.Call(func=ast.Name("_format_", ast.Load()),
                        args=[node.value, ast.Constant(node.conversion), spec], keywords=[])
        replaced = ast.FormattedValue(value=ast.copy_location(call, node), conversion=-1, format_spec=None)
        return ast.fix_missing_locations(ast.copy_location(replaced, node))

    def visit_AugAssign(self, node: ast.AugAssign):
        if type(node.op) in (ast.Mult, ast.Pow, ast.LShift):
            self.error(node, "Augmented *=, **= and <<= are not allowed; write x = x * y instead.")
        return super().visit_AugAssign(node)

    def visit_ExceptHandler(self, node: ast.ExceptHandler):
        if node.type is None:
            self.error(node, "A bare except: is not allowed; write except Exception:.")
        return self.node_contents_visit(node)

    def visit_Attribute(self, node: ast.Attribute):
        if node.attr in FRAME_ATTRIBUTES:
            self.error(node, f'"{node.attr}" is a restricted attribute: frames, code and tracebacks are not '
                             "reachable from scripts.")
        elif node.attr in FORMAT_ATTRIBUTES:
            self.error(node, f"str.{node.attr} is not available; write an f-string instead.")
        return super().visit_Attribute(node)

    def visit_Import(self, node):
        self.error(node, "import is not allowed: scripts use only the functions listed in docs/scripting.md.")
        return node

    def visit_ImportFrom(self, node):
        self.error(node, "import is not allowed: scripts use only the functions listed in docs/scripting.md.")
        return node

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


_CONSTANTS = {"None": None, "True": True, "False": False}
_GUARDS = {
    "_getattr_": limits.guarded_getattr,
    "_getitem_": limits.guarded_getitem,
    "_getiter_": limits.guarded_iter,
    "_write_": limits.guarded_write,
    "_inplacevar_": limits.guarded_inplace,
    "_binop_": limits.guarded_binop,
    "_format_": limits.guarded_format,
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
    """Raise ``ScriptError`` when the source would fail for certain at run time (used at deploy).

    Beyond what RestrictedPython refuses, a call to a function that is neither one of ``SAFE_FUNCTIONS``
    nor defined by the script itself is refused: case data is JSON and never callable, so such a call can
    only fail when the case reaches it.
    """
    text = source.strip() if mode == "eval" else source
    (compile_expression if mode == "eval" else compile_script)(text)
    tree = ast.parse(text, mode=mode)
    local = _names_bound(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            name = node.func.id
            if name in SAFE_FUNCTIONS or name in local:
                continue
            why = "is not available in scripts" if name in UNAVAILABLE else "is not a function scripts may call"
            raise ScriptError(f"Line {node.lineno}: {name}() {why}; the functions are listed in docs/scripting.md",
                              node.lineno, _source_line(text, node.lineno))


def _names_bound(tree: ast.AST) -> set[str]:
    """Names the script binds itself: functions, parameters, assignment and loop targets."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


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

class _Tracer:
    """The trace function: counts the script's own line events, and the nesting of its own calls."""

    def __init__(self, budget: limits.Budget):
        self.budget = budget

    def __call__(self, frame, event, arg):
        if frame.f_code.co_filename != FILENAME:
            return None
        depth, outer = 0, frame
        while outer is not None:
            depth += outer.f_code.co_filename == FILENAME
            outer = outer.f_back
        if self.budget.exhausted:
            raise SandboxViolation(self.budget.exhausted)
        if depth > MAX_DEPTH:
            self.budget.fail(f"calls nested deeper than {MAX_DEPTH}")
        return self._local

    def _local(self, frame, event, arg):
        if event == "line":
            self.budget.step()
        return self._local


def _run(code, namespace: dict, source: str, mode: str):
    budget = limits.begin()
    previous = sys.gettrace()
    sys.settrace(_Tracer(budget))
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
        limits.end()


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
    _storable(result)
    data.clear()
    data.update(result)


def _storable(result: dict) -> None:
    """The case keeps a script's variables as JSON: a circular, too deep or too large value fails here, as
    the script's error, rather than when the step is written."""
    for name, value in result.items():
        try:
            size = len(json.dumps(value, default=str))
        except (ValueError, TypeError, RecursionError) as exc:
            raise ScriptError(f"variable {name} cannot be kept in the case: {type(exc).__name__}: {exc}") from None
        if size > MAX_STORED:
            raise ScriptError(f"variable {name} is {size} characters as JSON; a case keeps at most {MAX_STORED}")
