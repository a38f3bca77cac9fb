"""The plain, frozen views the engine hands to the rest of Alur."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class TaskView:
    id: str
    instance_id: int
    process_id: str
    element_id: str
    name: str
    role: str | None
    form: str | None
    state: str
    assignee: str | None
    created_at: datetime
    due_at: datetime | None
    completed_at: datetime | None
    completed_by: str | None
    pasal: str | None = None


@dataclass(frozen=True)
class InstanceView:
    id: int
    process_id: str
    process_version: int | None
    model_hash: str
    state: str
    data: dict
    tasks: list[TaskView]
    started_by: str
    started_at: datetime
    updated_at: datetime
    ended_at: datetime | None
    error: dict | None
    version: int
    elements: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class EventView:
    seq: int
    type: str
    element_id: str | None
    element_name: str | None
    actor: str | None
    role: str | None
    at: datetime
    model_hash: str
    pasal: str | None
    reason: str | None
    request_id: str | None
    data: dict
    prev_hash: str
    hash: str
