"""The statements of the hot path, built once.

Building a SQLAlchemy statement costs more than running it on a warm connection, and the ORM's unit of
work is not needed for rows we write whole: the hot path (start, complete, fire a timer) executes these
prepared Core statements on the session's connection. Everything else may use the ORM freely.
"""
from __future__ import annotations

from sqlalchemy import bindparam, insert, select, update

from .models import Instance, JournalEvent, ProcessVersion, Task

INSTANCES = Instance.__table__
TASKS = Task.__table__
JOURNAL = JournalEvent.__table__
VERSIONS = ProcessVersion.__table__

_STATE_COLUMNS = ("workflow", "serializer_version", "state", "updated_at", "journal_seq", "journal_head",
                  "next_timer_at", "ended_at", "error")

UPDATE_INSTANCE_VERSIONED = (
    update(INSTANCES)
    .where(INSTANCES.c.id == bindparam("_id"), INSTANCES.c.version == bindparam("_seen"))
    .values(version=bindparam("_next"), **{c: bindparam(c) for c in _STATE_COLUMNS})
)
UPDATE_NEW_INSTANCE = (
    update(INSTANCES).where(INSTANCES.c.id == bindparam("_id")).values(**{c: bindparam(c) for c in _STATE_COLUMNS})
)
INSERT_TASKS = insert(TASKS)
INSERT_JOURNAL = insert(JOURNAL)
CANCEL_TASKS = (
    update(TASKS).where(TASKS.c.id.in_(bindparam("ids", expanding=True)), TASKS.c.state == "ready")
    .values(state="cancelled", completed_at=bindparam("at"))
)
COMPLETE_TASK = (
    update(TASKS).where(TASKS.c.id == bindparam("_task"), TASKS.c.state == "ready")
    .values(state="completed", completed_at=bindparam("at"), completed_by=bindparam("by"))
)
INSTANCE_FACTS = [INSTANCES.c.id, INSTANCES.c.process_id, INSTANCES.c.process_version_id, INSTANCES.c.model_hash,
                  INSTANCES.c.state, INSTANCES.c.version, INSTANCES.c.workflow, INSTANCES.c.journal_seq,
                  INSTANCES.c.journal_head, INSTANCES.c.started_by, INSTANCES.c.started_at, INSTANCES.c.updated_at,
                  INSTANCES.c.ended_at, INSTANCES.c.error, VERSIONS.c.version.label("process_version")]
SELECT_INSTANCE = (
    select(*INSTANCE_FACTS).join(VERSIONS, VERSIONS.c.id == INSTANCES.c.process_version_id)
    .where(INSTANCES.c.id == bindparam("_id"))
)
SELECT_TASK_AND_INSTANCE = (
    select(TASKS.c.id.label("task_id"), TASKS.c.state.label("task_state"), TASKS.c.role.label("task_role"),
           TASKS.c.assignee, TASKS.c.form, TASKS.c.element_id, TASKS.c.name.label("task_name"), TASKS.c.pasal,
           *INSTANCE_FACTS)
    .join(INSTANCES, INSTANCES.c.id == TASKS.c.instance_id)
    .join(VERSIONS, VERSIONS.c.id == INSTANCES.c.process_version_id)
    .where(TASKS.c.id == bindparam("_task"))
)
OPEN_TASKS = (
    select(TASKS).where(TASKS.c.instance_id == bindparam("_id"), TASKS.c.state == "ready")
    .order_by(TASKS.c.created_at, TASKS.c.id)
)
LATEST_VERSION = (
    select(VERSIONS).where(VERSIONS.c.process_id == bindparam("_pid")).order_by(VERSIONS.c.version.desc()).limit(1)
)
INSERT_INSTANCE = insert(INSTANCES).returning(INSTANCES.c.id)
