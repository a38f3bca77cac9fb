"""The limits of a user script's run: how long, how much, how deep. Used by ``engine.sandbox``.

A run gets a ``Budget``: line steps and CPU time (watched by the trace function), iterations (every ``for``
and comprehension goes through ``guarded_iter``), items allocated (every operation that can make a big
string, list or number is checked *before* it runs, and charged), nesting of the script's own calls, and
the process's resident memory as a backstop. Whichever runs out first ends the script with a
``SandboxViolation`` naming the limit.
"""
from __future__ import annotations

import math
import re
import threading
import time
from datetime import date, datetime, timedelta
from operator import add, lshift, mod, mul
from types import FunctionType

from RestrictedPython.Guards import safer_getattr

MAX_STEPS = 200_000          # line events of the script's own code
MAX_CPU_SECONDS = 2.0        # CPU time of one run
MAX_ITERATIONS = 1_000_000   # items taken by all for-loops and comprehensions of one run
MAX_SEQUENCE = 100_000       # length of any one string, list, tuple, set or dict made by a guarded operation
MAX_ALLOCATED = 5_000_000    # sum of those lengths over one run
MAX_INT_BITS = 4096          # size of any integer made by *, ** or <<
MAX_DEPTH = 50               # nesting of the script's own function calls
MAX_MEMORY_GROWTH = 256 << 20  # resident memory the process may gain during one run (backstop)


class SandboxViolation(BaseException):
    """The code tried something the sandbox does not allow, or broke a limit.

    A ``BaseException``, so that a script's own ``except Exception:`` cannot swallow it (and a bare
    ``except:`` is refused at compile time).
    """


class Budget:
    """What one run has used; the current run's budget is thread-local (``current``)."""

    def __init__(self):
        self.steps = 0
        self.iterations = 0
        self.allocated = 0
        self.deadline = time.process_time() + MAX_CPU_SECONDS
        self.rss_start = _rss()
        self.exhausted: str | None = None  # once a limit is hit, every later step fails at once

    def fail(self, reason: str):
        self.exhausted = reason
        raise SandboxViolation(reason)

    def step(self) -> None:
        self.steps += 1
        if self.exhausted:
            raise SandboxViolation(self.exhausted)
        if self.steps > MAX_STEPS:
            self.fail(f"script ran more than {MAX_STEPS} steps")
        if self.steps % 1000 == 0:
            self.check_time()

    def iterate(self) -> None:
        self.iterations += 1
        if self.exhausted:
            raise SandboxViolation(self.exhausted)
        if self.iterations > MAX_ITERATIONS:
            self.fail(f"loops took more than {MAX_ITERATIONS} items")
        if self.iterations % 1000 == 0:
            self.check_time()

    def check_time(self) -> None:
        if time.process_time() > self.deadline:
            self.fail(f"script used more than {MAX_CPU_SECONDS} s of CPU")
        if self.rss_start and _rss() - self.rss_start > MAX_MEMORY_GROWTH:
            self.fail(f"script used more than {MAX_MEMORY_GROWTH >> 20} MiB of memory")

    def charge(self, size: int) -> None:
        if self.exhausted:
            raise SandboxViolation(self.exhausted)
        if size > MAX_SEQUENCE:
            raise SandboxViolation(f"result longer than {MAX_SEQUENCE} items")
        self.allocated += size
        if self.allocated > MAX_ALLOCATED:
            self.fail(f"script made more than {MAX_ALLOCATED} items in all")


_local = threading.local()


def current() -> Budget:
    budget = getattr(_local, "budget", None)
    if budget is None:  # a guard called outside a run (at deploy, say): a fresh budget
        budget = _local.budget = Budget()
    return budget


def begin() -> Budget:
    _local.budget = Budget()
    return _local.budget


def end() -> None:
    _local.budget = None


def _rss() -> int:
    """Resident memory of this process in bytes (Linux); 0 where it cannot be read."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * 4096
    except (OSError, ValueError, IndexError):
        return 0


def _size(value) -> int:
    try:
        return len(value)
    except TypeError:
        return 1


_SEQUENCES = (str, bytes, list, tuple)


# --- operators ---------------------------------------------------------------------------------------

def guarded_binop(op: str, left, right):
    """``*``, ``**``, ``<<``, ``+`` and ``%``, refused before they run when the result would be too big."""
    budget = current()
    if op == "mult":
        for seq, count in ((left, right), (right, left)):
            if isinstance(seq, _SEQUENCES) and isinstance(count, int):
                budget.charge(len(seq) * max(count, 0))
        if isinstance(left, int) and isinstance(right, int):
            _int_bits(left.bit_length() + right.bit_length())
        return mul(left, right)
    if op == "pow":
        if isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1:
            _int_bits(right * abs(left).bit_length())
        return left ** right
    if op == "lshift":
        if isinstance(left, int) and isinstance(right, int):
            _int_bits(right + left.bit_length())
        return lshift(left, right)
    if op == "add":
        if isinstance(left, _SEQUENCES) and isinstance(right, _SEQUENCES):
            budget.charge(len(left) + len(right))
        return add(left, right)
    if op == "mod":
        if isinstance(left, (str, bytes)):
            _check_percent_format(left, right)
        result = mod(left, right)
        if isinstance(result, (str, bytes)):
            budget.charge(len(result))
        return result
    raise SandboxViolation(op)


def _int_bits(bits: int) -> None:
    if bits > MAX_INT_BITS:
        raise SandboxViolation(f"number larger than {MAX_INT_BITS} bits")


_PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
_FORMAT_SPEC_NUMBERS = re.compile(r"\d+")


def _check_percent_format(template, args) -> None:
    text = template.decode("latin-1") if isinstance(template, bytes) else template
    starred = False
    for width, precision in _PERCENT.findall(text):
        for part in (width, precision):
            if part == "*":
                starred = True
            elif part and int(part) > MAX_SEQUENCE:
                raise SandboxViolation(f"format width larger than {MAX_SEQUENCE}")
    if starred:
        values = args if isinstance(args, tuple) else (args,)
        if any(isinstance(v, int) and abs(v) > MAX_SEQUENCE for v in values):
            raise SandboxViolation(f"format width larger than {MAX_SEQUENCE}")


def guarded_format(value, conversion: int, spec: str) -> str:
    """An f-string's ``{value!r:>{width}}``: the width and precision are bounded before formatting."""
    if conversion == ord("r"):
        value = repr(value)
    elif conversion == ord("s"):
        value = str(value)
    elif conversion == ord("a"):
        value = ascii(value)
    if any(int(n) > MAX_SEQUENCE for n in _FORMAT_SPEC_NUMBERS.findall(spec or "")):
        raise SandboxViolation(f"format width larger than {MAX_SEQUENCE}")
    result = format(value, spec or "")
    current().charge(len(result))
    return result


def guarded_inplace(op: str, x, y):
    ops = {"+=": "add", "-=": None, "/=": None, "//=": None, "%=": "mod", "|=": None, "&=": None, "^=": None,
           ">>=": None}
    if op not in ops:
        raise SandboxViolation(f"operator {op} is not allowed")
    if ops[op]:
        return guarded_binop(ops[op], x, y)
    simple = {"-=": lambda: x - y, "/=": lambda: x / y, "//=": lambda: x // y, "|=": lambda: x | y,
              "&=": lambda: x & y, "^=": lambda: x ^ y, ">>=": lambda: x >> y}
    return simple[op]()


def guarded_iter(obj):
    """Every item a ``for`` or a comprehension takes is counted against the run's iterations."""
    budget = current()
    for item in iter(obj):
        budget.iterate()
        yield item


# --- attributes and methods ---------------------------------------------------------------------------

def _padding(self, width, *args):
    return width


def _estimate_join(sep, items):
    items = list(items)
    return len(sep) * max(len(items) - 1, 0) + sum(_size(i) for i in items), (items,)


def _estimate_replace(text, old, new, count=-1):
    occurrences = text.count(old) if old else len(text) + 1
    if count is not None and count >= 0:
        occurrences = min(occurrences, count)
    return len(text) + occurrences * max(len(new) - len(old), 0), None


def _estimate_expandtabs(text, tabsize=8):
    return len(text) + text.count("\t" if isinstance(text, str) else b"\t") * max(int(tabsize), 0), None


def _estimate_padding(text, width, *rest):
    return max(len(text), int(width)), None


def _estimate_translate(text, table):
    longest = max((_size(v) for v in (table.values() if isinstance(table, dict) else [])), default=1)
    return len(text) * max(longest, 1), None


_STRING_METHODS = {"join": _estimate_join, "replace": _estimate_replace, "expandtabs": _estimate_expandtabs,
                   "center": _estimate_padding, "ljust": _estimate_padding, "rjust": _estimate_padding,
                   "zfill": _estimate_padding, "translate": _estimate_translate}
_GROWING_METHODS = {"extend", "update", "insert", "append", "add", "setdefault", "union", "copy"}


def guarded_getattr(obj, name, default=None):
    """RestrictedPython's ``safer_getattr`` (no ``_`` names, no ``str.format``, no frames), plus size checks on
    the methods that can make a big string or grow a container."""
    obj = _type_of(obj)
    try:
        value = safer_getattr(obj, name, default)
    except NotImplementedError:
        raise SandboxViolation(f"{type(obj).__name__}.{name} is not available; write an f-string instead") from None
    except AttributeError as exc:
        raise SandboxViolation(str(exc)) from None
    is_text = isinstance(obj, (str, bytes)) or obj in (str, bytes)
    if is_text and name in _STRING_METHODS:
        return _sized_method(value, _STRING_METHODS[name], bound=not isinstance(obj, type), receiver=obj)
    if isinstance(obj, (list, dict, set)) and name in _GROWING_METHODS and callable(value):
        return _growing_method(obj, value)
    return value


def _sized_method(method, estimate, bound: bool, receiver):
    def call(*args, **kwargs):
        text, rest = (receiver, args) if bound else (args[0] if args else "", args[1:])
        size, replaced = estimate(text, *rest, **kwargs)
        current().charge(size)
        if replaced is not None:  # an iterator argument was consumed by the estimate: pass the list on
            args = (*args[:len(args) - len(rest)], *replaced, *rest[len(replaced):])
        return method(*args, **kwargs)

    return call


def _growing_method(container, method):
    def call(*args, **kwargs):
        before = len(container)
        result = method(*args, **kwargs)
        grown = len(container) - before
        if len(container) > MAX_SEQUENCE:
            raise SandboxViolation(f"result longer than {MAX_SEQUENCE} items")
        if grown > 0:
            current().charge(grown)
        if isinstance(result, (list, dict, set)):
            current().charge(len(result))
        return result

    return call


def guarded_getitem(obj, key):
    if isinstance(key, str) and key.startswith("_"):
        raise SandboxViolation(f'key "{key}" begins with "_"')
    return obj[key]


def guarded_write(obj):
    if isinstance(obj, (dict, list, set)):
        return obj
    raise SandboxViolation(f"cannot modify an object of type {type(obj).__name__}")


# --- the functions a script may call ----------------------------------------------------------------

def _charged(constructor):
    """A builtin that builds a container from its arguments: the result is charged to the run."""
    def build(*args, **kwargs):
        result = constructor(*args, **kwargs)
        if isinstance(result, (str, bytes, list, tuple, set, frozenset, dict)):
            current().charge(len(result))
        return result

    build.__name__ = getattr(constructor, "__name__", "function")
    build.__doc__ = getattr(constructor, "__doc__", None)
    build.alur_type = constructor  # isinstance(x, str) and str.upper still mean the type
    return build


def _type_of(value):
    return value.alur_type if isinstance(value, FunctionType) and hasattr(value, "alur_type") else value


def _isinstance(obj, classinfo) -> bool:
    if isinstance(classinfo, tuple):
        classinfo = tuple(_type_of(c) for c in classinfo)
    return isinstance(obj, _type_of(classinfo))


def _range(*args):
    r = range(*args)
    current().charge(len(r))
    return r


def _sum(values, start=0):
    if not isinstance(start, (int, float)):
        raise SandboxViolation("sum() adds numbers; join lists with + and strings with str.join")
    return sum(values, start)


def _now() -> str:
    from . import clock

    return clock.now().isoformat()


def _today() -> str:
    from . import clock

    return clock.now().date().isoformat()


def _add_working_days(start: str, days: int) -> str:
    """ISO date ``days`` working days (Monday to Friday) after ``start``."""
    current_day = date.fromisoformat(start[:10])
    remaining = int(days)
    if abs(remaining) > 3660:
        raise SandboxViolation("too many working days")
    step = 1 if remaining >= 0 else -1
    while remaining:
        current_day += timedelta(days=step)
        if current_day.weekday() < 5:
            remaining -= step
    return current_day.isoformat()


def _days_between(start: str, end: str) -> int:
    return (date.fromisoformat(end[:10]) - date.fromisoformat(start[:10])).days


def _add_duration(start: str, seconds: float) -> str:
    return (datetime.fromisoformat(start) + timedelta(seconds=float(seconds))).isoformat()


SAFE_FUNCTIONS = {
    "abs": abs, "all": all, "any": any, "bool": bool, "dict": _charged(dict), "divmod": divmod,
    "enumerate": enumerate, "float": float, "int": int, "isinstance": _isinstance, "len": len,
    "list": _charged(list), "max": max, "min": min, "range": _range, "reversed": reversed, "round": round,
    "set": _charged(set), "sorted": _charged(sorted), "str": _charged(str), "sum": _sum,
    "tuple": _charged(tuple), "zip": zip, "ceil": math.ceil, "floor": math.floor,
    "now": _now, "today": _today, "add_working_days": _add_working_days,
    "days_between": _days_between, "add_duration": _add_duration,
    # Errors a script may raise or catch (a limit of the sandbox is not one of them).
    "Exception": Exception, "ValueError": ValueError, "TypeError": TypeError, "KeyError": KeyError,
    "IndexError": IndexError, "ZeroDivisionError": ZeroDivisionError,
}
