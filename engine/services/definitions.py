"""Deploying BPMN files and finding the compiled version an instance is pinned to."""
from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .. import bpmn, clock
from ..db import Database
from ..errors import Conflict, DeployRefused, Forbidden, NotFound
from ..models import BpmnModel, ProcessVersion
from ..principal import Principal

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeployedProcess:
    process_id: str
    name: str
    version: int
    model_hash: str
    created: bool


@dataclass(frozen=True)
class DeployResult:
    processes: list[DeployedProcess]
    warnings: list[dict]


@dataclass(frozen=True)
class VersionView:
    id: int
    process_id: str
    name: str
    version: int
    model_hash: str
    filename: str
    deployed_by: str
    deployed_at: object
    starter_roles: list[str]


def deploy(db: Database, files: list[tuple[str, bytes]], actor: Principal, config: dict) -> DeployResult:
    """Validate and store ``files``; the same bytes again change nothing, changed bytes make a new version."""
    if not actor.has("analis", "system"):
        raise Forbidden("Only a process analyst (role analis) may deploy diagrams.")
    if not files:
        raise DeployRefused("no file uploaded", [{"element_id": None, "severity": "error",
                                                  "message": "no file", "fix": "Upload a .bpmn file in field `file`."}])
    limits = {"max_bytes": int(config["MAX_BPMN_BYTES"]), "max_depth": int(config["MAX_XML_DEPTH"])}
    documents = [bpmn.read(data, name, max_elements=int(config["MAX_BPMN_ELEMENTS"]), **limits)
                 for name, data in files]
    with db.reader() as session:
        context = _context_documents(session, documents, limits)
    infos, problems = bpmn.analyse(documents, context)
    errors = [p for p in problems if p["severity"] == "error"]
    warnings = [p for p in problems if p["severity"] != "error"]
    if errors:
        raise DeployRefused(f"{len(errors)} problem(s) must be fixed before this diagram can be deployed",
                            errors + warnings)
    context_hashes = _latest_hashes_of(context)
    try:
        with db.unit_of_work() as session:
            deployed = _store(session, documents, infos, context_hashes, actor.username)
            from . import schedules  # a new version with a start timer moves its schedule, in this transaction

            created = {p.process_id for p in deployed if p.created}
            schedules.sync(session, [i for i in infos if i.process_id in created], clock.now())
    except IntegrityError:
        raise Conflict("Another deployment of the same process happened at the same moment; try again.") from None
    for item in deployed:
        log.info("deployed", extra={"process_id": item.process_id, "version": item.version,
                                    "model_hash": item.model_hash, "new_version": item.created})
    return DeployResult(deployed, warnings)


def _called_ids(documents: list[bpmn.Document]) -> set[str]:
    called, defined = set(), set()
    for doc in documents:
        for node in doc.root.iter(f"{{{bpmn.BPMN_NS}}}callActivity"):
            if node.get("calledElement"):
                called.add(node.get("calledElement"))
        defined.update(p.get("id") for p in doc.root.iterfind("bpmn:process", bpmn.NS))
    return called - defined


def _context_documents(session, documents, limits) -> list[bpmn.Document]:
    """The latest deployed files defining the processes the new files call but do not contain."""
    needed = _called_ids(documents)
    if not needed:
        return []
    latest = (select(ProcessVersion.process_id, func.max(ProcessVersion.version).label("v"))
              .where(ProcessVersion.process_id.in_(needed)).group_by(ProcessVersion.process_id).subquery())
    rows = session.execute(
        select(BpmnModel.filename, BpmnModel.xml, ProcessVersion.process_id)
        .join(ProcessVersion, ProcessVersion.model_id == BpmnModel.id)
        .join(latest, (latest.c.process_id == ProcessVersion.process_id) & (latest.c.v == ProcessVersion.version))
    ).all()
    docs = {}
    for filename, xml, process_id in rows:
        doc = bpmn.read(xml, filename, **limits)
        docs[doc.sha256] = (doc, process_id)
    return [doc for doc, _ in docs.values()]


def _latest_hashes_of(context: list[bpmn.Document]) -> dict[str, str]:
    out = {}
    for doc in context:
        for process in doc.root.iterfind("bpmn:process", bpmn.NS):
            out[process.get("id")] = doc.sha256
    return out


def _store(session, documents, infos, context_hashes, username) -> list[DeployedProcess]:
    now = clock.now()
    by_doc = {}
    for info in infos:
        for doc in documents:
            if any(p.get("id") == info.process_id for p in bpmn.executable_processes(doc)):
                by_doc.setdefault(doc.sha256, []).append(info)
    # Call activities may reach processes in other files of the same set: pin those files too.
    in_set = {p.get("id"): doc.sha256 for doc in documents for p in bpmn.executable_processes(doc)}
    deployed = []
    for doc in documents:
        existing = session.scalar(select(BpmnModel.id).where(BpmnModel.sha256 == doc.sha256))
        doc_infos = by_doc.get(doc.sha256, [])
        if existing is not None:
            for info in doc_infos:
                version = session.execute(
                    select(ProcessVersion.version, ProcessVersion.name)
                    .where(ProcessVersion.model_id == existing, ProcessVersion.process_id == info.process_id)
                ).first()
                if version is not None:
                    deployed.append(DeployedProcess(info.process_id, version.name, version.version, doc.sha256, False))
            continue
        model = BpmnModel(sha256=doc.sha256, filename=doc.filename, xml=doc.data,
                          process_ids=[i.process_id for i in doc_infos], deployed_by=username, deployed_at=now)
        session.add(model)
        session.flush()
        for info in doc_infos:
            current = session.scalar(select(func.max(ProcessVersion.version))
                                     .where(ProcessVersion.process_id == info.process_id)) or 0
            pinned = {**context_hashes, **in_set}
            deps = {pid: pinned[pid] for pid in info.calls if pid in pinned and pinned[pid] != doc.sha256}
            session.add(ProcessVersion(process_id=info.process_id, version=current + 1, name=info.name,
                                       model_id=model.id, model_hash=doc.sha256,
                                       starter_roles=list(info.starter_roles), dependencies=deps,
                                       deployed_by=username, deployed_at=now))
            deployed.append(DeployedProcess(info.process_id, info.name, current + 1, doc.sha256, True))
        session.flush()
    return deployed


def list_versions(db: Database, process_id: str | None = None, latest_only: bool = True) -> list[VersionView]:
    with db.reader() as session:
        query = select(ProcessVersion, BpmnModel.filename).join(BpmnModel, BpmnModel.id == ProcessVersion.model_id)
        if process_id is not None:
            query = query.where(ProcessVersion.process_id == process_id)
        if latest_only:
            latest = (select(ProcessVersion.process_id, func.max(ProcessVersion.version).label("v"))
                      .group_by(ProcessVersion.process_id).subquery())
            query = query.join(latest, (latest.c.process_id == ProcessVersion.process_id)
                               & (latest.c.v == ProcessVersion.version))
        rows = session.execute(query.order_by(ProcessVersion.process_id, ProcessVersion.version.desc())).all()
        return [_version_view(v, filename) for v, filename in rows]


def _version_view(v: ProcessVersion, filename: str) -> VersionView:
    return VersionView(v.id, v.process_id, v.name, v.version, v.model_hash, filename, v.deployed_by,
                       v.deployed_at, list(v.starter_roles or []))


def latest_version(session, process_id: str) -> ProcessVersion:
    version = session.scalars(select(ProcessVersion).where(ProcessVersion.process_id == process_id)
                              .order_by(ProcessVersion.version.desc()).limit(1)).first()
    if version is None:
        raise NotFound(f"No deployed process has the id \"{process_id}\".")
    return version


def model_xml(db: Database, process_id: str, version: int | None = None) -> bytes:
    with db.reader() as session:
        query = (select(BpmnModel.xml).join(ProcessVersion, ProcessVersion.model_id == BpmnModel.id)
                 .where(ProcessVersion.process_id == process_id))
        if version is not None:
            query = query.where(ProcessVersion.version == version)
        xml = session.scalar(query.order_by(ProcessVersion.version.desc()).limit(1))
    if xml is None:
        raise NotFound(f"No deployed diagram for \"{process_id}\"" + (f" version {version}" if version else "") + ".")
    return xml


# --- compiled specs, cached per process version -----------------------------------------------

_cache: OrderedDict[tuple[str, str], bpmn.Bundle] = OrderedDict()
_cache_lock = threading.Lock()
_CACHE_SIZE = 256


def bundle(session, process_version_id: int, process_id: str, model_hash: str) -> bpmn.Bundle:
    """The compiled spec of a process version; parsed once per process, then served from memory.

    The cache is keyed by content (process id and file hash), which names one version for good: the same
    bytes deployed again are the same version.
    """
    key = (process_id, model_hash)
    with _cache_lock:
        cached = _cache.get(key)
        if cached is not None:
            _cache.move_to_end(key)
            return cached
    version = session.get(ProcessVersion, process_version_id)
    if version is None:
        raise NotFound(f"process version {process_version_id} does not exist")
    hashes = [version.model_hash, *sorted(set((version.dependencies or {}).values()))]
    rows = {sha: (name, xml) for sha, name, xml in session.execute(
        select(BpmnModel.sha256, BpmnModel.filename, BpmnModel.xml).where(BpmnModel.sha256.in_(hashes))).all()}
    limits = {"max_bytes": 1 << 30, "max_depth": 1 << 10}  # already accepted once; never refuse what runs
    docs = [bpmn.read(rows[sha][1], rows[sha][0], **limits) for sha in hashes if sha in rows]
    parser, errors = bpmn.make_parser(docs)
    if errors:
        raise RuntimeError(f"stored model {version.model_hash} no longer parses: {errors}")
    compiled = bpmn.compile_process(parser, version.process_id, version.model_hash)
    with _cache_lock:
        _cache[key] = compiled
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return compiled
