"""A per-process generation number, bumped by every write of a step, so read caches can tell when this
process itself changed something (and drop what they hold) while other processes' changes age out."""
from __future__ import annotations

import itertools

_counter = itertools.count(1)
generation = 0


def bump() -> None:
    global generation
    generation = next(_counter)
