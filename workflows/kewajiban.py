"""The obligations of Perwali Kota Blitar No. 8/2013 that Alur carries out, with the identifiers of
``shared/domain.md``. A diagram element names the ones it carries out in its ``pasal`` property; the
traceability page (``alur traceability``) lists, for each obligation, the elements that do so.
"""
from __future__ import annotations

KEWAJIBAN: dict[str, str] = {
    "12(2)b": "tell prospective users which documents are required",
    "12(2)c": "verify every document and datum submitted for registration",
    "12(2)d": "keep the archive of users' documents",
    "12(4)": "approve or reject a registration (with a reason)",
    "12(5)": "deactivate a User ID for violations of the terms, or on a blacklist request from PA/KPA/PPK/ULP",
    "13(2)a": "consultation about e-procurement",
    "13(2)b": "information about SPSE features",
    "13(2)c": "handling complaints about the LPSE's service",
    "13(2)d": "training in using SPSE",
    "15(1)a": "technical support for publishing the RUP and procurement announcements on the national portal",
    "15(1)c": "e-reporting: reports from the process data",
    "15(1)d": "receive feedback to improve the service",
    "15(2)b": "give LKPP information and proposals about SPSE problems",
    "17(1)a": "supplier registration: online form, registration and participation forms with copies of KTP, "
              "deed of establishment, NPWP and business licence, originals shown",
    "17(1)b": "non-supplier registration: copy of the assignment letter (surat tugas / SK), original shown",
    "17(2)": "verification authenticates the identity behind a User ID",
    "17(4)": "the registration forms can be obtained from the system (pre-filled)",
    "18a": "rooms for bidding, training and verification (booking the bidding room)",
    "18c": "consultation by internet, telephone or visit",
    "18d": "announcements to users about technical problems",
    "19(1)": "handle technical problems",
    "19(2)": "witness when a bid document cannot be opened, and write a Berita Acara Kesaksian",
    "19(3)": "forward to LKPP problems the LPSE cannot solve or that SPSE does not cover",
    "20(3)": "server room: temperature, backup power, physical security are checked",
    "20(4)": "every visitor to the server room needs permission from the authorised LPSE official",
    "20(5)": "server maintenance is monitored, documented and its data stored",
    "21(1)": "daily monitoring of disk and RAM capacity; replace or add when critical",
    "21(2)": "bandwidth management and traffic monitoring",
    "21(3)": "monitor the server's internet connection and act at once on disruption",
    "21(4)": "announce maintenance of the server or other devices",
    "21(5)": "monitor performance of software, hardware and network; upgrade when needed",
    "21(6)": "give LKPP access to monitor the server",
    "22(1)": "back up the system files and the database",
    "22(2)": "keep backups on portable media in a safe place away from the server room",
    "23(2)": "quarterly report to the Walikota through the Sekretaris Daerah",
}


def split(value: str | None) -> list[str]:
    """The obligation ids of a ``pasal`` property value (comma-separated)."""
    return [part.strip() for part in (value or "").split(",") if part.strip()]
