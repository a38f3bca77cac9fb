"""Documentation that must stay true: every setting documented, the README's Quick start intact."""
from __future__ import annotations

import re

from conftest import HERE
from web.config import DEFAULTS

ROOT = HERE.parent


def test_every_setting_is_documented():
    page = (ROOT / "docs" / "configuration.md").read_text()
    missing = [key for key in DEFAULTS if f"`ALUR_{key}`" not in page]
    assert missing == []


def test_quick_start_holds_exactly_two_commands_in_one_block():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```(?:\w+)?\n(.*?)```", section, re.S)
    assert len(blocks) == 1
    commands = [line for line in blocks[0].splitlines() if line.strip() and not line.strip().startswith("#")]
    assert commands == ["./scripts/dev", "./scripts/test"]
    for command in commands:
        assert (ROOT / command).stat().st_mode & 0o111, f"{command} is not executable"
