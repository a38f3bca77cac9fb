"""Bahasa Indonesia is the source language of every UI string; each one has its English translation,
and the compiled catalogue that ships in the repository matches the one translators edit."""
from __future__ import annotations

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from conftest import HERE

ROOT = HERE.parent
CATALOG = ROOT / "web" / "ui" / "translations" / "en" / "LC_MESSAGES"


def _po():
    with open(CATALOG / "messages.po", "rb") as handle:
        return read_po(handle, locale="en")


def _source_messages() -> set[str]:
    method_map = [("web/**.py", "python"), ("web/ui/templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(str(ROOT), method_map, keywords=keywords):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_ui_string_has_an_english_translation():
    catalog = _po()
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id and m.string
                  and (isinstance(m.string, str) or all(m.string)) and not m.fuzzy}
    missing = sorted(_source_messages() - translated)
    assert missing == [], "run ./scripts/i18n and translate these in messages.po"


def test_the_compiled_catalogue_is_up_to_date():
    with open(CATALOG / "messages.mo", "rb") as handle:
        compiled = {m.id: m.string for m in read_mo(handle) if m.id}
    source = {m.id: m.string for m in _po() if m.id and not m.fuzzy}
    assert compiled == source, "run ./scripts/i18n (pybabel compile) and commit messages.mo"


def test_english_pages_really_come_out_in_english(ui):
    ui.get("/masuk")
    ui.post("/bahasa", {"lang": "en", "next": "/masuk"}, expect=302)
    page = ui.get("/masuk").get_data(as_text=True)
    assert "Sign in to Alur" in page and "Masuk ke Alur" not in page
