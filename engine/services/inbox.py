"""The inbox: open tasks of the caller's roles (and those assigned to the caller), overdue first, with
counts per process, paged by a keyset cursor.

It must stay fast at millions of task rows. Every role the caller holds is one branch that walks the
partial index ``ix_tasks_open_role`` (only open tasks, in inbox order) and stops after one page; the
tasks assigned to the caller are one more branch on ``ix_tasks_open_assignee``; the branches are merged
with UNION ALL and cut to the page. So a page costs a few index probes whatever the table's size, and
never a sort of a role's whole backlog. The cursor is the last row's (due_at, created_at, id): the next
page starts strictly after it, so rows completed or added meanwhile never shift or repeat a page.
"""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select, union_all

from ..db import Database
from ..errors import ValidationFailed
from ..models import Task
from ..models.task import READY
from ..principal import Principal
from ..roles import EXTERNAL
from ..views import TaskView
from .instances import task_view

TASKS = Task.__table__
ORDER = (TASKS.c.due_at.asc().nulls_last(), TASKS.c.created_at.asc(), TASKS.c.id.asc())


@dataclass(frozen=True)
class Page:
    items: list[TaskView]
    counts: dict[str, int]
    next_cursor: str | None


@dataclass(frozen=True)
class Filters:
    process_id: str | None = None
    due_before: datetime | None = None  # due strictly before this moment (overdue: now)
    assignee: str | None = None  # a username, "me", or "none" (nobody has claimed it)


def inbox(db: Database, principal: Principal, filters: Filters = Filters(), *, limit: int = 50,
          cursor: str | None = None) -> Page:
    """One page of the inbox; ``counts`` are per process under the same filters, all processes."""
    after = decode_cursor(cursor) if cursor else None
    every_process = Filters(None, filters.due_before, filters.assignee)
    with db.reader() as session:
        connection = session.connection()
        rows = connection.execute(_page_query(principal, _filters(filters, principal), after, limit + 1)
                                  ).mappings().all()
        counts = dict(connection.execute(_count_query(principal, _filters(every_process, principal))).all())
    items = [task_view(dict(r)) for r in rows[:limit]]
    next_cursor = encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    return Page(items, counts, next_cursor)


def _branches(principal: Principal) -> list:
    """One condition per index range: each staff role of the caller, then what is assigned to the caller."""
    shared = sorted(principal.roles - EXTERNAL)
    branches = [TASKS.c.role == role for role in shared]
    mine = TASKS.c.assignee == principal.username
    if shared:  # a task of one of my roles that is also assigned to me is already in that role's branch
        mine = and_(mine, or_(TASKS.c.role.is_(None), TASKS.c.role.not_in(shared)))
    branches.append(mine)
    return branches


def _filters(filters: Filters, principal: Principal) -> list:
    out = [TASKS.c.state == READY]
    if filters.process_id:
        out.append(TASKS.c.process_id == filters.process_id)
    if filters.due_before is not None:
        out.append(TASKS.c.due_at < filters.due_before)
    if filters.assignee == "none":
        out.append(TASKS.c.assignee.is_(None))
    elif filters.assignee:
        out.append(TASKS.c.assignee == (principal.username if filters.assignee == "me" else filters.assignee))
    return out


def _after(after: tuple[datetime | None, datetime, str] | None):
    if after is None:
        return None
    due, created, task_id = after
    same_due_later = or_(TASKS.c.created_at > created, and_(TASKS.c.created_at == created, TASKS.c.id > task_id))
    if due is None:
        return and_(TASKS.c.due_at.is_(None), same_due_later)
    return or_(TASKS.c.due_at > due, and_(TASKS.c.due_at == due, same_due_later), TASKS.c.due_at.is_(None))


def _page_query(principal: Principal, conditions: list, after, limit: int):
    keyset = _after(after)
    parts = []
    for branch in _branches(principal):
        where = [*conditions, branch] + ([keyset] if keyset is not None else [])
        parts.append(select(TASKS).where(*where).order_by(*ORDER).limit(limit))
    if len(parts) == 1:
        return parts[0]
    merged = union_all(*(select(p.subquery().c) for p in parts)).subquery()
    return select(merged).order_by(merged.c.due_at.asc().nulls_last(), merged.c.created_at, merged.c.id).limit(limit)


def _count_query(principal: Principal, conditions: list):
    return (select(TASKS.c.process_id, func.count()).where(*conditions, or_(*_branches(principal)))
            .group_by(TASKS.c.process_id))


def encode_cursor(row) -> str:
    due = row["due_at"].isoformat() if row["due_at"] is not None else None
    raw = json.dumps([due, row["created_at"].isoformat(), row["id"]], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime | None, datetime, str]:
    try:
        due, created, task_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return (datetime.fromisoformat(due) if due else None, datetime.fromisoformat(created), str(task_id))
    except (ValueError, TypeError):
        raise ValidationFailed("bad cursor", {"cursor": [
            "Kursor halaman tidak valid; mulai dari halaman pertama. / Invalid page cursor; start from the first "
            "page (use the `next_cursor` of a response as it is)."]}) from None

