""""A task landed in your inbox": a journal listener that tells the people of the task's lane.

Staff lanes: every active account holding the role. A supplier's or other user's lane, or no lane: the
case's initiator, whose task it is. Each person sees it in the app; by e-mail at once, in the daily digest,
or not at all, as they chose (``notification_settings``; at once by default).
"""
from __future__ import annotations

import json

from sqlalchemy import bindparam, cast, select, text
from sqlalchemy.dialects.postgresql import JSONB

from engine import hooks
from engine.models import NotificationSetting, Task, User
from engine.models.notification import DIGEST, INSTANT, OFF
from engine.roles import STAFF

from . import recipients, service

TEMPLATE = "tugas_baru"


_PREFERENCES = (select(NotificationSetting.user_id, NotificationSetting.task_email)
                .where(NotificationSetting.user_id.in_(bindparam("ids", expanding=True))))


def preferences(session, user_ids: list[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    return dict(session.connection().execute(_PREFERENCES, {"ids": user_ids}).all())


def email_choice(prefs: dict[int, str]):
    def email_for(person: recipients.Recipient):
        mode = prefs.get(person.user_id, INSTANT)
        return {INSTANT: True, DIGEST: "digest", OFF: False}.get(mode, True)

    return email_for


# This listener runs inside every step that opens a task, so its statements are built once (per dialect).
_TASKS = (select(Task.id, Task.name, Task.role, Task.due_at)
          .where(Task.id.in_(bindparam("ids", expanding=True))))
_lane_statements: dict[str, object] = {}


def _lane_statement(dialect: str):
    """Every active account holding ``:role``, with its e-mail choice, in one query."""
    statement = _lane_statements.get(dialect)
    if statement is None:
        if dialect == "postgresql":
            holds = cast(User.roles, JSONB).contains(cast(bindparam("role_list"), JSONB))
        else:
            holds = text("EXISTS (SELECT 1 FROM json_each(users.roles) WHERE json_each.value = :role)")
        statement = (select(User.id, User.username, User.full_name, User.email, NotificationSetting.task_email)
                     .outerjoin(NotificationSetting, NotificationSetting.user_id == User.id)
                     .where(User.is_active.is_(True), holds).order_by(User.username))
        _lane_statements[dialect] = statement
    return statement


def lane_people(session, role: str) -> tuple[list[recipients.Recipient], dict[int, str]]:
    """The people of a staff lane and their e-mail preferences (as ``preferences`` gives them)."""
    connection = session.connection()
    rows = connection.execute(_lane_statement(connection.dialect.name),
                              {"role": role, "role_list": json.dumps([role])}).all()
    people = [recipients.person(f"peran:{role}", r) for r in rows]
    return people, {r.id: r.task_email for r in rows if r.task_email is not None}


def on_tasks_ready(session, rows: list[hooks.Written]) -> None:
    ready = [r for r in rows if r.type == "task.ready"]
    if not ready:
        return
    config = current_config()
    task_ids = [json.loads(r.data).get("task_id") for r in ready]
    tasks = {t.id: t for t in session.connection().execute(_TASKS, {"ids": task_ids})}
    for row, task_id in zip(ready, task_ids):
        task = tasks.get(task_id)
        if task is None:
            continue
        if row.role in STAFF:
            people, prefs = lane_people(session, row.role)
        else:
            people = [p for p in recipients.resolve(session, ["pemrakarsa"], started_by=row.started_by, data={})
                      if p.problem is None]
            prefs = None
        if not people:
            continue
        context = {"kasus": {"id": row.instance_id, "proses": row.process_id,
                             "tautan": service.case_link(config, row.instance_id)},
                   "tugas": {"id": task_id, "nama": task.name, "peran": row.role,
                             "batas_waktu": task.due_at.isoformat() if task.due_at else None}}
        if prefs is None:
            prefs = preferences(session, [p.user_id for p in people if p.user_id is not None])
        service.send(session, config, template=TEMPLATE, recipients=people, context=context,
                     instance_id=row.instance_id, kind="tugas", task_id=task_id, event_type="task.created",
                     email_for=email_choice(prefs))


_loaded: dict | None = None


def current_config() -> dict:
    """The application's settings in a request; outside one (the worker firing a timer opens tasks too), the
    settings from the environment, as the worker itself reads them."""
    global _loaded
    from flask import current_app, has_app_context

    if has_app_context():
        return current_app.config
    if _loaded is None:
        from web import config as alur_config

        _loaded = alur_config.load()
    return _loaded


hooks.on_journal(on_tasks_ready)
