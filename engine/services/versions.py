"""Process versions: their history with what each one changed, any one of them downloaded, and moving
running cases onto a newer one (``engine.versions`` says whether that is safe)."""
from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

from sqlalchemy import select, update

from .. import clock, runtime, versions
from ..db import Database
from ..errors import AlurError, Conflict, Forbidden, NotFound, ValidationFailed
from ..journal import Event
from ..models import BpmnModel, Instance, ProcessVersion
from ..models.instance import ERROR, RUNNING
from ..principal import Principal
from ..store import Step, step_events, write_step
from ..views import InstanceView
from . import definitions, instances

log = logging.getLogger(__name__)
MIGRATORS = ("analis", "kepala", "system")
_HASH = re.compile(r"^[0-9a-f]{7,64}$")


@dataclass(frozen=True)
class VersionEntry(definitions.VersionView):
    """One version of a process: who deployed it, when, its hash and what it changed from the one before."""

    previous_version: int | None
    changes: dict | None  # {"added": [...], "removed": [...], "changed": [...]}; None for the first version


@dataclass(frozen=True)
class Outcome:
    """What happened, or would happen, to one case of a process-wide migration."""

    instance_id: int
    from_version: int
    to_version: int
    movable: bool  # it can move (a dry run) or it did
    migrated: bool
    detail: str
    obstacles: list[dict]


# --- the history ---------------------------------------------------------------------------------

_summaries: OrderedDict[tuple[str, str, str], dict] = OrderedDict()
_summaries_lock = threading.Lock()


def history(db: Database, process_id: str) -> list[VersionEntry]:
    """Every version of ``process_id``, newest first, each with its diff against the one before."""
    with db.reader() as session:
        rows = session.execute(
            select(ProcessVersion, BpmnModel.filename).join(BpmnModel, BpmnModel.id == ProcessVersion.model_id)
            .where(ProcessVersion.process_id == process_id).order_by(ProcessVersion.version)).all()
        if not rows:
            raise NotFound(f"Proses \"{process_id}\" belum dipasang. / No deployed process has the id "
                           f"\"{process_id}\".")
        out, previous = [], None
        for version, filename in rows:
            changes = summary_between(session, previous, version) if previous is not None else None
            out.append(VersionEntry(version.id, version.process_id, version.name, version.version,
                                    version.model_hash, filename, version.deployed_by, version.deployed_at,
                                    list(version.starter_roles or []), previous.version if previous else None,
                                    changes))
            previous = version
    return out[::-1]


def summary_between(session, old: ProcessVersion, new: ProcessVersion) -> dict:
    """SpiffWorkflow's diff of two versions' specs, kept in memory: two hashes name one diff for good."""
    key = (old.process_id, old.model_hash, new.model_hash)
    with _summaries_lock:
        if key in _summaries:
            return _summaries[key]
    if old.model_hash == new.model_hash:
        result = versions.Summary().as_dict()
    else:
        try:
            result = versions.summary(_bundle(session, old), _bundle(session, new)).as_dict()
        except Exception as exc:  # noqa: BLE001 - a diff the engine cannot make must not hide the history
            log.warning("version diff failed", extra={"process_id": new.process_id, "version": new.version,
                                                      "error": f"{type(exc).__name__}: {exc}"})
            result = {**versions.Summary().as_dict(), "unavailable": f"{type(exc).__name__}: {exc}"}
    with _summaries_lock:
        _summaries[key] = result
        while len(_summaries) > 512:
            _summaries.popitem(last=False)
    return result


def _bundle(session, version: ProcessVersion):
    return definitions.bundle(session, version.id, version.process_id, version.model_hash)


def resolve(session, process_id: str, ref) -> ProcessVersion:
    """A version of ``process_id`` by its number (``3``, ``"3"``, ``"v3"``) or its hash (at least 7 hex digits)."""
    text = str(ref).strip().lower() if ref is not None else ""
    query = select(ProcessVersion).where(ProcessVersion.process_id == process_id)
    if re.fullmatch(r"v?\d{1,9}", text) and not (len(text) >= 7 and _HASH.match(text)):
        found = session.scalars(query.where(ProcessVersion.version == int(text.lstrip("v")))).all()
    elif _HASH.match(text):
        found = [v for v in session.scalars(query).all() if v.model_hash.startswith(text)]
    else:
        raise ValidationFailed("version must be a number or a hash", {"version": [
            "Nomor versi (3) atau hash (minimal 7 digit heksadesimal). / A version number (3) or a hash "
            "(at least 7 hex digits)."]})
    if len(found) > 1:
        raise ValidationFailed("the hash prefix names several versions", {"version": [
            f"Awalan hash \"{text}\" cocok dengan beberapa versi; tulis lebih panjang. / The hash prefix \"{text}\" "
            "matches several versions; give more digits."]})
    if not found:
        raise NotFound(f"Proses \"{process_id}\" tidak punya versi \"{ref}\". / Process \"{process_id}\" has no "
                       f"version \"{ref}\".")
    return found[0]


def version_xml(db: Database, process_id: str, ref) -> tuple[ProcessVersion, bytes, str]:
    """The file of one version, exactly as it was deployed, and its file name."""
    with db.reader() as session:
        version = resolve(session, process_id, ref)
        model = session.get(BpmnModel, version.model_id)
        session.expunge(version)
        return version, model.xml, model.filename


# --- migrating running cases ---------------------------------------------------------------------

def migrate_instance(db: Database, instance_id: int, ref, reason: str, principal: Principal, config: dict,
                     request_id: str | None = None, *, dry_run: bool = False) -> InstanceView | Outcome:
    """Move one running case onto a newer version of its process, or refuse with the elements in the way.

    Journaled as ``instance.migrated`` (old and new hash, who, why) in the same transaction as the new
    state, under the case's optimistic version; the open inbox rows keep their ids.
    """
    if not principal.has(*MIGRATORS):
        raise Forbidden("Hanya analis atau Kepala LPSE yang dapat memindahkan kasus ke versi lain. / "
                        "Only a process analyst or the head of the LPSE may migrate a case.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("a reason is required", {"reason": ["Alasan wajib diisi / A reason is required"]})
    role = next(r for r in MIGRATORS if principal.has(r))
    with db.unit_of_work() as session:
        instance = instances._visible(session, instance_id, principal)
        target = _target(session, instance, ref)
        snap, old_bundle, workflow = instances.load_for_update(session, instance, principal, role, config)
        new_bundle = _bundle(session, target)
        try:
            migrated = versions.migrate(workflow, old_bundle, new_bundle)
        except versions.MigrationRefused as refused:
            raise _refusal(instance, target, refused) from None
        if dry_run:
            return Outcome(instance.id, instance.process_version, target.version, True, False,
                           f"can move from v{instance.process_version} to v{target.version}", [])
        before = {t.id: t for t in runtime.human_tasks(workflow, old_bundle)}
        moved = session.execute(update(Instance).where(Instance.id == instance.id,
                                                       Instance.version == instance.version)
                                .values(process_version_id=target.id, model_hash=target.model_hash)
                                .execution_options(synchronize_session=False))
        if moved.rowcount != 1:
            raise Conflict("Kasus ini baru saja diubah oleh orang lain; muat ulang dan coba lagi. / "
                           "This case was changed by someone else just now; reload and try again.")
        snap.model_hash = target.model_hash
        report = runtime.advance(migrated)
        step = Step([Event("instance.migrated", actor=principal.username, role=role, reason=reason, data={
            "from": {"version": instance.process_version, "model_hash": instance.model_hash},
            "to": {"version": target.version, "model_hash": target.model_hash}})])
        step.events.extend(step_events(report, new_bundle, principal.username, role))
        write_step(session, snap, migrated, new_bundle, before, step, report, principal.username, request_id,
                   clock.now())
        log.info("instance migrated", extra={"instance": instance.id, "process_id": instance.process_id,
                                             "from_version": instance.process_version, "to_version": target.version})
        step.written.update(process_version_id=target.id, model_hash=target.model_hash,
                            process_version=target.version)
        return instances.view_after(session, instance, step, migrated)


def _target(session, instance, ref) -> ProcessVersion:
    if instance.state not in (RUNNING, ERROR):
        raise Conflict(f"Kasus {instance.id} sudah {instance.state}; hanya kasus berjalan yang dapat dipindahkan. / "
                       f"Case {instance.id} is {instance.state}; only running cases can be migrated.")
    target = resolve(session, instance.process_id, ref)
    if target.version <= instance.process_version:
        raise Conflict(f"Kasus {instance.id} berjalan pada v{instance.process_version}; pindahkan hanya ke versi "
                       f"yang lebih baru. / Case {instance.id} runs on v{instance.process_version}; it can only move "
                       f"to a newer version (v{target.version} is not).", current_version=instance.process_version)
    return target


def _refusal(instance, target, refused: versions.MigrationRefused) -> Conflict:
    parts = []
    for o in refused.obstacles:
        what = {"removed": "dihapus / removed", "changed": f"diubah / changed ({', '.join(o.attributes)})",
                "replaced": f"diganti dengan / replaced by {o.replaced_by}",
                "unaligned": "tidak ada padanannya / has no counterpart"}.get(o.problem, o.problem)
        parts.append(f"{o.element_id}{f' “{o.name}”' if o.name else ''} [{o.state}]: {what}")
    return Conflict(
        f"Kasus {instance.id} tidak dapat dipindahkan ke v{target.version}: {'; '.join(parts)}. Selesaikan atau "
        f"batalkan langkah itu dulu, atau biarkan kasus pada v{instance.process_version}. / Case {instance.id} "
        f"cannot move to v{target.version}: {'; '.join(parts)}. Finish or cancel that step first, or leave the "
        f"case on v{instance.process_version}.",
        elements=[o.as_dict() for o in refused.obstacles], current_version=instance.process_version,
        target_version=target.version)


def migrate_process(db: Database, process_id: str, ref, reason: str, principal: Principal, config: dict,
                    *, dry_run: bool = False) -> list[Outcome]:
    """Every running case of ``process_id`` on an older version: moved (each in its own transaction) or not,
    with the reason. A refused case stays exactly as it was."""
    with db.reader() as session:
        target = resolve(session, process_id, ref)
        ids = session.execute(
            select(Instance.id, ProcessVersion.version).join(ProcessVersion, ProcessVersion.id ==
                                                            Instance.process_version_id)
            .where(Instance.process_id == process_id, Instance.state.in_((RUNNING, ERROR)),
                   ProcessVersion.version < target.version).order_by(Instance.id)).all()
    outcomes = []
    for instance_id, from_version in ids:
        try:
            result = migrate_instance(db, instance_id, target.version, reason, principal, config, dry_run=dry_run)
        except AlurError as exc:
            outcomes.append(Outcome(instance_id, from_version, target.version, False, False, exc.detail,
                                    exc.extra.get("elements", [])))
            continue
        if isinstance(result, Outcome):
            outcomes.append(result)
        else:
            outcomes.append(Outcome(instance_id, from_version, target.version, True, True,
                                    f"moved from v{from_version} to v{target.version}", []))
    return outcomes
