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
import functools
import json
import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, and_, bindparam, func, literal_column, or_, select, union_all

from .. import freshness
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
    counts: dict[str, int] | None  # None on pages after the first
    next_cursor: str | None


@dataclass(frozen=True)
class Filters:
    process_id: str | None = None
    due_before: datetime | None = None  # due strictly before this moment (overdue: now)
    assignee: str | None = None  # a username, "me", or "none" (nobody has claimed it)


def inbox(db: Database, principal: Principal, filters: Filters = Filters(), *, limit: int = 50,
          cursor: str | None = None, with_counts: bool | None = None) -> Page:
    """One page of the inbox. ``counts`` (per process under the same filters, all processes) come with the
    first page only (unless ``with_counts``): they cost a scan of the caller's open tasks in the index,
    the page itself only a few index probes."""
    after = decode_cursor(cursor) if cursor else None
    roles = sorted(principal.roles - EXTERNAL)
    params = {"me": principal.username, "limit": limit + 1, **{f"role_{i}": r for i, r in enumerate(roles)}}
    if filters.process_id:
        params["process"] = filters.process_id
    if filters.due_before is not None:
        params["due_before"] = filters.due_before
    if filters.assignee not in (None, "none"):
        params["assignee"] = principal.username if filters.assignee == "me" else filters.assignee
    assignee_mode = "none" if filters.assignee == "none" else "user" if filters.assignee else ""
    if after is not None:
        params.update(after_due=after[0], after_created=after[1], after_id=after[2])
    cursor_mode = None if after is None else "null" if after[0] is None else "due"
    count = with_counts or (with_counts is None and after is None)
    with db.reader() as session:
        connection = session.connection()
        rows = connection.execute(_page_statement(len(roles), bool(filters.process_id),
                                                  filters.due_before is not None, assignee_mode, cursor_mode),
                                  params).mappings().all()
        counts = _counts(connection, principal, roles, filters, assignee_mode, params) if count else None
    items = [task_view(dict(r)) for r in rows[:limit]]
    next_cursor = encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    return Page(items, counts, next_cursor)


# Counts per process cost a scan of the caller's open tasks; an inbox asked for again and again (every page
# view, every client poll) reuses them for COUNTS_TTL seconds. A write in this process drops them at once;
# another process's write is seen within COUNTS_TTL.
COUNTS_TTL = 5.0
_counts_cache: dict[tuple, tuple[float, int, dict[str, int]]] = {}


def _counts(connection, principal: Principal, roles: list[str], filters: Filters, assignee_mode: str,
            params: dict) -> dict[str, int]:
    key = (principal.username, tuple(roles), filters.due_before, filters.assignee)
    cached = _counts_cache.get(key)
    now = time.monotonic()
    if cached is not None and cached[1] == freshness.generation and now - cached[0] < COUNTS_TTL:
        return dict(cached[2])
    counts = dict(connection.execute(_count_statement(len(roles), filters.due_before is not None, assignee_mode),
                                     params).all())
    if len(_counts_cache) > 10_000:
        _counts_cache.clear()
    _counts_cache[key] = (now, freshness.generation, counts)
    return dict(counts)


# Statements are built once per shape (how many roles, which filters) with bound parameters: building a
# UNION of subqueries costs far more than running it on a warm connection.

def _branches(n_roles: int) -> list:
    """One condition per index range: each staff role of the caller, then what is assigned to the caller."""
    roles = [bindparam(f"role_{i}") for i in range(n_roles)]
    branches = [TASKS.c.role == role for role in roles]
    mine = TASKS.c.assignee == bindparam("me")
    if roles:  # a task of one of my roles that is also assigned to me is already in that role's branch
        mine = and_(mine, or_(TASKS.c.role.is_(None), and_(*(TASKS.c.role != role for role in roles))))
    branches.append(mine)
    return branches


def _conditions(has_process: bool, has_due: bool, assignee_mode: str) -> list:
    # A literal, not a parameter: the partial indexes hold for "state = 'ready'" only, and a prepared
    # statement's generic plan could not prove that from a parameter.
    out = [TASKS.c.state == literal_column(f"'{READY}'")]
    if has_process:
        out.append(TASKS.c.process_id == bindparam("process"))
    if has_due:
        out.append(TASKS.c.due_at < bindparam("due_before", type_=TASKS.c.due_at.type))
    if assignee_mode == "none":
        out.append(TASKS.c.assignee.is_(None))
    elif assignee_mode == "user":
        out.append(TASKS.c.assignee == bindparam("assignee"))
    return out


def _keyset(cursor_mode: str | None):
    if cursor_mode is None:
        return None
    created = bindparam("after_created", type_=TASKS.c.created_at.type)
    same_due_later = or_(TASKS.c.created_at > created,
                         and_(TASKS.c.created_at == created, TASKS.c.id > bindparam("after_id")))
    if cursor_mode == "null":
        return and_(TASKS.c.due_at.is_(None), same_due_later)
    due = bindparam("after_due", type_=TASKS.c.due_at.type)
    return or_(TASKS.c.due_at > due, and_(TASKS.c.due_at == due, same_due_later), TASKS.c.due_at.is_(None))


@functools.lru_cache(maxsize=256)
def _page_statement(n_roles: int, has_process: bool, has_due: bool, assignee_mode: str, cursor_mode: str | None):
    conditions = _conditions(has_process, has_due, assignee_mode)
    keyset = _keyset(cursor_mode)
    if keyset is not None:
        conditions.append(keyset)
    limit = bindparam("limit", type_=Integer)
    parts = [select(TASKS).where(*conditions, branch).order_by(*ORDER).limit(limit) for branch in _branches(n_roles)]
    if len(parts) == 1:
        return parts[0]
    merged = union_all(*(select(p.subquery().c) for p in parts)).subquery()
    return select(merged).order_by(merged.c.due_at.asc().nulls_last(), merged.c.created_at, merged.c.id).limit(limit)


@functools.lru_cache(maxsize=256)
def _count_statement(n_roles: int, has_due: bool, assignee_mode: str):
    """Counts per process, branch by branch like the page: each an index-only scan of open tasks."""
    conditions = _conditions(False, has_due, assignee_mode)
    parts = [select(TASKS.c.process_id).where(*conditions, branch) for branch in _branches(n_roles)]
    merged = (union_all(*parts) if len(parts) > 1 else parts[0]).subquery()
    return select(merged.c.process_id, func.count()).group_by(merged.c.process_id)


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

