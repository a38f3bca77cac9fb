"""Who is asking: the identity every service function receives and checks."""
from __future__ import annotations

from dataclasses import dataclass

from .roles import READ_ONLY, STAFF


@dataclass(frozen=True)
class Principal:
    username: str
    roles: frozenset[str]
    user_id: int | None = None

    def has(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_staff(self) -> bool:
        return bool(self.roles & STAFF)

    @property
    def read_only(self) -> bool:
        return bool(self.roles) and self.roles <= READ_ONLY

    @property
    def sees_everything(self) -> bool:
        """Staff and auditors read every case; suppliers and other users only their own."""
        return self.is_staff or bool(self.roles & READ_ONLY)

    def role_for(self, lane: str | None) -> str | None:
        """The role in which this principal acts on a task of ``lane``."""
        if lane is None:
            return sorted(self.roles)[0] if self.roles else None
        return lane if lane in self.roles else None


SYSTEM = Principal("system", frozenset({"system"}))
