"""Which diagram elements carry out which obligation of the regulation: ``docs/traceability.md``,
generated from the ``pasal`` properties in ``workflows/bpmn/*.bpmn`` (``alur traceability``)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from engine import xmlsafe

from .kewajiban import KEWAJIBAN, split

ROOT = Path(__file__).resolve().parent.parent
BPMN_DIR = ROOT / "workflows" / "bpmn"
OUTPUT = ROOT / "docs" / "traceability.md"
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
      "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core"}
KINDS = {"userTask": "tugas", "serviceTask": "layanan", "scriptTask": "skrip", "callActivity": "panggilan",
         "boundaryEvent": "batas waktu", "intermediateThrowEvent": "pesan keluar",
         "intermediateCatchEvent": "tunggu", "startEvent": "mulai", "endEvent": "selesai"}


@dataclass(frozen=True)
class Elemen:
    berkas: str
    proses: str
    id: str
    nama: str
    jenis: str
    lajur: str
    pasal: tuple[str, ...]


def elemen(folder: Path = BPMN_DIR) -> list[Elemen]:
    """Every element with a ``pasal`` property, in file and document order."""
    out = []
    for path in sorted(folder.glob("*.bpmn")):
        root = xmlsafe.parse(path.read_bytes(), max_bytes=1 << 24, max_depth=128, filename=path.name)
        for process in root.iterfind("bpmn:process", NS):
            lanes = {ref.text: lane.get("name") for lane in process.iterfind(".//bpmn:lane", NS)
                     for ref in lane.iterfind("bpmn:flowNodeRef", NS)}
            for node in process.iter():
                props = node.find("bpmn:extensionElements/spiffworkflow:properties", NS)
                if props is None or node.tag == f"{{{NS['bpmn']}}}process":
                    continue
                value = next((p.get("value") for p in props if p.get("name") == "pasal"), None)
                if not value:
                    continue
                kind = node.tag.rsplit("}", 1)[1]
                lane = lanes.get(node.get("id"))
                if kind == "boundaryEvent":
                    lane = lanes.get(node.get("attachedToRef"))
                out.append(Elemen(path.name, process.get("id"), node.get("id"), node.get("name") or node.get("id"),
                                  KINDS.get(kind, kind), lane or "pemohon", tuple(split(value))))
    return out


def tidak_dikenal(items: list[Elemen]) -> list[tuple[Elemen, str]]:
    """``pasal`` values that are not obligations of the regulation (typos)."""
    return [(e, p) for e in items for p in e.pasal if p not in KEWAJIBAN]


def tanpa_pelaksana(items: list[Elemen]) -> list[str]:
    covered = {p for e in items for p in e.pasal}
    return [k for k in KEWAJIBAN if k not in covered]


def render(items: list[Elemen]) -> str:
    lines = ["# Keterlacakan kewajiban / Traceability of obligations", "",
             "Dihasilkan dari properti `pasal` pada diagram `workflows/bpmn/*.bpmn` dengan `alur traceability`; "
             "jangan disunting tangan. / Generated from the `pasal` properties of the diagrams by "
             "`alur traceability`; do not edit by hand. `tests/test_traceability.py` fails when an obligation has "
             "no element or this page is stale.", "",
             "Regulation: Peraturan Walikota Blitar No. 8 Tahun 2013; obligation ids as in `shared/domain.md`. "
             "Lane `pemohon` = tasks outside the lanes, done by whoever started the case.", "",
             "| Pasal | Obligation | Elements that carry it out (process · element · kind · lane) |", "|---|---|---|"]
    for key, text in KEWAJIBAN.items():
        carriers = [e for e in items if key in e.pasal]
        cell = "<br>".join(f"`{e.proses}` · `{e.id}` {e.nama} · {e.jenis} · {e.lajur}" for e in carriers) or "**—**"
        lines.append(f"| `{key}` | {text} | {cell} |")
    lines += ["", "## Per diagram", ""]
    for berkas in sorted({e.berkas for e in items}):
        in_file = [e for e in items if e.berkas == berkas]
        lines.append(f"- `{berkas}` ({', '.join(sorted({e.proses for e in in_file}))}): "
                     f"{', '.join(sorted({p for e in in_file for p in e.pasal}, key=list(KEWAJIBAN).index))}")
    return "\n".join(lines) + "\n"


def tulis(path: Path = OUTPUT) -> list[str]:
    """Write the page; returns the obligations no element carries out (empty when complete)."""
    items = elemen()
    path.write_text(render(items))
    return tanpa_pelaksana(items)
