"""Official numbers: per kind and year, no gaps, no duplicates under concurrent cases."""
from __future__ import annotations

import threading
from datetime import datetime, timezone

import pytest

from workflows import nomor


def test_numbers_are_per_kind_and_year_with_the_roman_month(db):
    with db.unit_of_work() as session:
        first = nomor.terbitkan(session, "BA-KES", datetime(2026, 11, 30, 18, 0, tzinfo=timezone.utc), "Asia/Jakarta")
        other = nomor.terbitkan(session, "BA-GGN", datetime(2026, 11, 1, tzinfo=timezone.utc), "Asia/Jakarta")
        second = nomor.terbitkan(session, "BA-KES", datetime(2026, 12, 1, tzinfo=timezone.utc), "Asia/Jakarta")
        new_year = nomor.terbitkan(session, "BA-KES", datetime(2026, 12, 31, 17, 0, tzinfo=timezone.utc),
                                   "Asia/Jakarta")
    # 30 Nov 18:00 UTC is already 1 December in Blitar; 31 Dec 17:00 UTC is New Year.
    assert (first, other, second, new_year) == ("001/BA-KES/LPSE/XII/2026", "001/BA-GGN/LPSE/XI/2026",
                                                "002/BA-KES/LPSE/XII/2026", "001/BA-KES/LPSE/I/2027")


def test_a_rolled_back_step_gives_its_number_back(db):
    with pytest.raises(RuntimeError):
        with db.unit_of_work() as session:
            nomor.berikutnya(session, "SERT", 2026)
            raise RuntimeError("the step failed")
    with db.unit_of_work() as session:
        assert nomor.berikutnya(session, "SERT", 2026) == 1


def test_concurrent_cases_never_share_or_skip_a_number(db):
    taken: list[int] = []
    errors: list[BaseException] = []

    def take() -> None:
        try:
            for _ in range(5):
                with db.unit_of_work() as session:
                    taken.append(nomor.berikutnya(session, "BA-KES", 2026))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=take) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(taken) == list(range(1, 31))


def test_an_unknown_kind_is_refused(db):
    with db.unit_of_work() as session, pytest.raises(ValueError):
        nomor.berikutnya(session, "XX", 2026)
