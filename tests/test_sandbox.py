"""Known sandbox-escape payloads all fail with a clear error, quickly, and the server stays healthy.

The payloads come from published RestrictedPython, Jinja2, simpleeval and CTF write-ups: subclass walks,
frame and generator globals, format-string attribute reads, module chains, builtins access, type() tricks,
decompression, recursion and allocation bombs, endless loops and long work inside builtins."""
from __future__ import annotations

import pytest

from conftest import BPMN
from engine import sandbox

ESCAPES = {
    # reaching object internals: subclass walks, mro, builtins, globals
    "subclass-walk": ("r = ().__class__.__bases__[0].__subclasses__()", "_"),
    "mro-walk": ("r = ''.__class__.__mro__[1].__subclasses__()", "_"),
    "class-of-int": ("r = (1).real.__class__", "_"),
    "builtins-name": ("r = __builtins__", "_"),
    "builtins-item": ("r = __builtins__['open']", "_"),
    "function-globals": ("f = lambda: 1\nr = f.__globals__", "_"),
    "function-code": ("def f():\n    pass\nr = f.__code__", "_"),
    "dict-getitem-dunder": ("d = {}\nr = d['__class__']", "_"),
    "exception-traceback": ("try:\n    1 / 0\nexcept Exception as e:\n    r = e.__traceback__", "_"),
    # frames of generators and coroutines
    "generator-frame-globals": ("r = (x for x in [1]).gi_frame.f_globals", "restricted"),
    "generator-function-frame": ("def g():\n    yield 1\nr = g().gi_frame", "restricted"),
    "generator-code": ("def g():\n    yield 1\nr = g().gi_code", "restricted"),
    "async-def": ("async def f():\n    pass", "Async"),
    "generator-frame-back": ("def g():\n    yield 1\nr = g().gi_frame.f_back.f_globals", "restricted"),
    "traceback-frame-globals": ("try:\n    1 / 0\nexcept Exception as e:\n    r = e.__traceback__.tb_frame.f_globals",
                                "_"),
    "traceback-frame-plain": ("def f(t):\n    return t.tb_frame.f_globals\nr = f(1)", "restricted"),
    "frame-builtins": ("def g():\n    yield 1\nr = g().gi_frame.f_builtins['open']", "restricted"),
    "py2-function-globals": ("r = add_working_days.func_globals", "restricted"),
    # format strings that read attributes or make huge output
    "format-attribute-read": ("r = '{0.__class__}'.format(1)", "format"),
    "format-map": ("r = '{x.__class__.__base__}'.format_map({'x': 1})", "format"),
    "format-bound-method": ("f = 'x{0}'.format\nr = f(1)", "format"),
    "fstring-huge-width": ("r = f'{1:>100000000}'", "width"),
    "fstring-nested-width": ("n = 10 ** 8\nr = f'{1:>{n}}'", "width"),
    "fstring-conversion-width": ("x = 1\nr = f'{x!r:>{10 ** 8}}'", "width"),
    "percent-huge-width": ("r = '%100000000d' % 1", "width"),
    "percent-star-width": ("r = '%*d' % (100000000, 1)", "width"),
    # modules, imports and the builtins that are not there
    "import": ("import os", "import"),
    "import-from": ("from os import system", "import"),
    "dunder-import": ("r = __import__('os')", "_"),
    "decompression-module": ("import zlib\nr = zlib.decompress(b'')", "import"),
    "decompression-codec": ("r = b'x\\x9c+\\xc9\\xc8,V\\x00\\x00'.decode('zlib_codec')", "text encoding"),
    "decompression-gzip-import": ("from gzip import decompress\nr = decompress(b'')", "import"),
    # module-to-module chains: from a function or method to its module, and on to sys, os, builtins
    "module-of-builtin": ("r = len.__self__.open('/etc/passwd')", "_"),
    "module-of-helper": ("r = add_working_days.__globals__['sys'].modules['os']", "_"),
    "module-attribute-name": ("r = add_working_days.__module__", "_"),
    "import-chain": ("import os.path\nr = os.path.os.sys.modules", "import"),
    "importlib": ("import importlib\nr = importlib.import_module('os')", "import"),
    "builtins-via-dict": ("r = dict.fromkeys.__self__", "_"),
    "method-self-chain": ("r = 'a'.upper.__self__", "_"),
    "getattr": ("r = getattr(1, '__class__')", "getattr"),
    "type-of": ("r = type(1)", "type"),
    "type-new-class": ("r = type('X', (), {})", "type"),
    "eval": ("r = eval('1')", "Eval"),
    "exec": ("exec('x = 1')", "Exec"),
    "open-file": ("r = open('/etc/passwd').read()", "open"),
    "globals": ("r = globals()", "globals"),
    "vars": ("r = vars()", "vars"),
    "class-definition": ("class A:\n    pass", "Class"),
    "bare-except": ("try:\n    x = 1\nexcept:\n    pass", "bare except"),
    "catch-base-exception": ("def f():\n    try:\n        f()\n    except BaseException:\n        f()\nf()", "BaseException"),
    # allocation bombs
    "string-multiply": ("r = 'a' * 10 ** 9", "longer than"),
    "list-multiply": ("r = [0] * 10 ** 9", "longer than"),
    "huge-power": ("r = 10 ** 10 ** 8", "bits"),
    "huge-shift": ("r = 1 << 10 ** 9", "bits"),
    "int-square-chain": ("x = 2 ** 4000\nfor i in range(30):\n    x = x * x", "bits"),
    "comprehension": ("r = [0 for i in range(10 ** 9)]", "longer than"),
    "nested-comprehension": ("r = [[0] * 100000 for i in range(100000)]", "items in all"),
    "join-bomb": ("r = 'x'.join(['y' * 100000] * 100000)", "longer than"),
    "replace-bomb": ("s = 'a' * 100000\nr = s.replace('a', 'a' * 100000)", "longer than"),
    "doubling-concat": ("s = 'a' * 1000\nfor i in range(100):\n    s = s + s", "longer than"),
    "doubling-extend": ("l = [0] * 1000\nfor i in range(100):\n    l.extend(l)", "longer than"),
    "augmented-multiply": ("s = 'a'\ns *= 10 ** 9", "Augmented"),
    "center": ("r = 'a'.center(10 ** 9)", "longer than"),
    "ljust": ("r = 'a'.ljust(10 ** 9)", "longer than"),
    "zfill": ("r = 'a'.zfill(10 ** 9)", "longer than"),
    "expandtabs": ("r = ('\\t' * 1000).expandtabs(10 ** 6)", "longer than"),
    "translate": ("r = ('a' * 100000).translate({97: 'b' * 100000})", "longer than"),
    "unbound-join": ("r = str.join('x', ['y' * 100000] * 100000)", "longer than"),
    "dict-fromkeys": ("r = dict.fromkeys(range(10 ** 8))", "longer than"),
    "set-of-range": ("r = set(range(10 ** 8))", "longer than"),
    "list-of-zip": ("r = list(zip(range(10 ** 8), range(10 ** 8)))", "longer than"),
    "star-unpack": ("r = [*'a' * 10 ** 9]", "longer than"),
    "sum-of-lists": ("r = sum([[0] * 1000] * 1000, [])", "sum()"),
    "many-lists": ("r = []\nfor i in range(1000):\n    r.append(list(range(100000)))", "items in all"),
    "int-from-long-string": ("r = int('9' * 100000)", "4300"),
    "circular-variable": ("l = []\nl.append(l)", "cannot be kept"),
    # recursion, endless loops, long work in builtins
    "recursion": ("def f(n):\n    return f(n + 1)\nr = f(0)", "nested deeper"),
    "mutual-recursion": ("def a(n):\n    return b(n)\ndef b(n):\n    return a(n)\nr = a(0)", "nested deeper"),
    "exponential-retry": ("def f():\n    try:\n        f()\n    except Exception:\n        f()\nf()", "nested deeper"),
    "endless-while": ("while True:\n    pass", "steps"),
    "endless-swallowing-loop": ("while True:\n    try:\n        x = 1\n    except Exception:\n        pass", "steps"),
    "iter-sentinel": ("for i in iter(int, 1):\n    pass", "iter"),
    "sorted-huge-range": ("r = sorted(range(10 ** 8))", "longer than"),
    "sum-huge-range": ("r = sum(range(10 ** 12))", "longer than"),
    "max-of-generator": ("r = max(i for i in range(10 ** 9))", "longer than"),
    "nested-loops": ("r = [i for i in range(100000) for j in range(100000)]", "steps"),
    "sorted-many-times": ("for i in range(100000):\n    r = sorted(range(100000))", "items in all"),
}


@pytest.mark.timeout(10)
@pytest.mark.parametrize("name", sorted(ESCAPES))
def test_an_escape_payload_fails_with_a_clear_error(name):
    source, reason = ESCAPES[name]
    data = {}
    with pytest.raises(sandbox.ScriptError) as caught:
        sandbox.check(source, "exec")  # refused at deploy, or it compiles and must fail when run
        sandbox.execute(source, data)
    assert reason.lower() in str(caught.value).lower(), str(caught.value)
    assert data == {}  # nothing the script made reaches the case


DEPLOY_TIME = ["import", "import-from", "import-chain", "importlib", "decompression-module", "format-attribute-read",
               "format-map", "format-bound-method", "generator-frame-globals", "generator-frame-back",
               "traceback-frame-plain", "frame-builtins", "py2-function-globals", "subclass-walk", "module-of-helper",
               "getattr", "eval", "open-file", "class-definition"]


@pytest.mark.parametrize("name", DEPLOY_TIME)
def test_the_worst_escapes_are_refused_before_anything_runs(name):
    """Imports, format strings, frames, underscores and the missing builtins never reach a running case."""
    source, reason = ESCAPES[name]
    with pytest.raises(sandbox.ScriptError) as caught:
        sandbox.check(source, "exec")
    assert reason.lower() in str(caught.value).lower() and caught.value.line, str(caught.value)


def test_what_scripts_are_for_still_works():
    data = {"nama": "cv maju", "nilai": [3, 1, 2], "tanggal": "2026-01-02"}
    sandbox.check("x = 1", "exec")
    sandbox.execute(
        "judul = nama.upper() + f' ({len(nilai):>3})'\n"
        "urut = sorted(nilai, key=lambda v: -v)\n"
        "ganda = [v * 2 for v in nilai if v > 1]\n"
        "teks = isinstance(nama, str) and str.title(nama) == 'Cv Maju'\n"
        "gabung = ', '.join(str(v) for v in nilai)\n"
        "kode = '%05d' % 42\n"
        "batas = add_working_days(tanggal, 3)\n"
        "try:\n    hasil = 1 / 0\nexcept ZeroDivisionError:\n    hasil = None\n", data)
    assert data["judul"] == "CV MAJU (  3)" and data["urut"] == [3, 2, 1] and data["ganda"] == [6, 4]
    assert data["teks"] is True and data["gabung"] == "3, 1, 2" and data["kode"] == "00042"
    assert data["batas"] == "2026-01-07" and data["hasil"] is None
    assert sandbox.evaluate("nilai[0] > 2 and nama.startswith('cv')", data) is True


def test_a_call_to_an_unknown_function_is_named_at_deploy_with_its_line():
    with pytest.raises(sandbox.ScriptError) as caught:
        sandbox.check("x = 1\ny = hitung(x)\n", "exec")
    assert caught.value.line == 2 and "hitung()" in str(caught.value)
    sandbox.check("def hitung(v):\n    return v\ny = hitung(1)\nf = lambda v: v\nz = f(2)", "exec")


@pytest.mark.timeout(60)
def test_hostile_scripts_in_a_deployed_diagram_fail_the_case_not_the_server(api, tmp_path):
    """Payloads that pass the deploy check (their size comes from the case data) fail when the case runs:
    the case is in error with the element, line and reason, and the server goes on serving."""
    template = (BPMN / "failing.bpmn").read_text()
    bombs = {
        "memori": "s = 'a' * (n * 1000)",
        "loop": "while n > 0:\n    n = n + 1",
        "rekursi": "def f(k):\n    return f(k + n)\nf(0)",
        "format": "s = f'{n:>{n * 1000}}'",
    }
    for label, script in bombs.items():
        text = template.replace("total = total / pembagi", script).replace('id="uji_galat"', f'id="uji_{label}"')
        path = tmp_path / f"{label}.bpmn"
        path.write_text(text)
        api.deploy(path)
        case = api.start(f"uji_{label}", {"pembagi": 1, "n": 10 ** 6, "total": 1}, as_="admin_sistem")
        done = api.complete(case["tasks"][0]["id"], {"catatan": "ok"}, as_="admin_sistem")
        assert done["state"] == "error", done
        assert done["error"]["element_id"] == "hitung" and "Sandbox" in done["error"]["message"], done["error"]
        assert api.client.get("/healthz").status_code == 200
    # ... and an honest case still runs to its end.
    api.deploy(BPMN / "two_lanes.bpmn")
    case = api.start("uji_dua_lajur")
    assert api.complete(case["tasks"][0]["id"])["state"] == "running"


def test_unsafe_code_is_refused_at_deploy_naming_element_and_file_line(api, tmp_path):
    text = (BPMN / "failing.bpmn").read_text().replace("total = total / pembagi",
                                                      "total = 1\nisi = open('/etc/passwd')")
    path = tmp_path / "unsafe.bpmn"
    path.write_text(text)
    errors = api.deploy(path, expect=422).get_json()["errors"]
    [error] = [e for e in errors if e["element_id"] == "hitung"]
    assert "open()" in error["message"] and "line 3 of the script" in error["message"]
    script_line = next(i for i, line in enumerate(text.splitlines(), 1) if "isi = open" in line)
    assert error["line"] == script_line
