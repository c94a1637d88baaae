"""The ``Actor``: who is acting, in which role and scope. Services take ``actor=``.

Model-free: the person, membership and unit are ``caidan.accounts`` models, named here for
type checkers only, so every app (and ``caidan.common.permissions``) can take an actor
without importing accounts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from caidan.accounts.models import Membership, Unit, User


@dataclass(frozen=True)
class Actor:
    user: User | None
    membership: Membership | None = None
    ip: str = ""
    via: str = "session"  # session | token | system
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def anonymous(cls, ip: str = "") -> Actor:
        return cls(user=None, membership=None, ip=ip, via="anonymous")

    @classmethod
    def system(cls) -> Actor:
        return cls(user=None, membership=None, via="system")

    @property
    def is_authenticated(self) -> bool:
        return self.user is not None and self.user.is_active

    @property
    def role(self) -> str:
        if self.membership is not None:
            return self.membership.role
        return "system" if self.via == "system" else ""

    @property
    def label(self) -> str:
        if self.user is not None:
            return self.user.get_full_name()
        return "系统" if self.via == "system" else "匿名"

    @property
    def unit(self) -> Unit | None:
        return self.membership.unit if self.membership else None

    @property
    def organization(self):
        return self.membership.organization if self.membership else None

    def has_role(self, *roles: str) -> bool:
        return self.membership is not None and self.membership.role in roles

    def covers_unit(self, unit: Unit | None) -> bool:
        """The active membership's unit is ``unit`` or one of its ancestors."""
        mine = self.unit
        return bool(mine and unit and unit.path.startswith(mine.path))

    def covers_organization(self, organization) -> bool:
        mine = self.organization
        return bool(mine and organization and mine.pk == organization.pk)


def user_of(actor: Any) -> User | None:
    """The person behind an actor (None for the system or an anonymous visitor), for the
    ``created_by`` / ``decided_by`` columns services fill in."""
    return getattr(actor, "user", None)
