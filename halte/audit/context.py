"""Who is acting, from where and why: passed to every service that touches client data."""

from dataclasses import dataclass

from halte.audit.labels import SYSTEM_ROLE
from halte.audit.models import Purpose
from halte.core.roles import Role

_PURPOSE_BY_ROLE = {
    Role.FRONT_OFFICE: Purpose.CONTACT,
    Role.PLANNER: Purpose.PLANNING,
    Role.CARE_PROFESSIONAL: Purpose.CARE,
    Role.TEAM_LEAD: Purpose.CARE,
    Role.MANAGER: Purpose.MANAGEMENT,
    Role.PRIVACY_OFFICER: Purpose.SUPERVISION,
    Role.ADMINISTRATOR: Purpose.ADMINISTRATION,
}


@dataclass(frozen=True)
class Actor:
    user: object | None  # core.User, or None for the system itself (see Actor.system)
    source_ip: str | None = None
    on_behalf_of: str = ""
    purpose: str = ""

    @classmethod
    def system(cls, name: str, *, source_ip: str | None = None) -> "Actor":
        """A process acting without a person, such as the telephone system's webhook."""
        return cls(None, source_ip=source_ip, on_behalf_of=name, purpose=Purpose.INTEGRATION)

    @property
    def role(self) -> str:
        return self.user.role if self.user is not None else SYSTEM_ROLE

    @property
    def username(self) -> str:
        return self.user.get_username() if self.user is not None else self.on_behalf_of

    @property
    def effective_purpose(self) -> str:
        return self.purpose or _PURPOSE_BY_ROLE.get(self.role, Purpose.CARE)


def actor_from_request(request, *, on_behalf_of: str = "", purpose: str = "") -> Actor:
    # REMOTE_ADDR only: X-Forwarded-For is set by whoever sends the request, so a
    # proxy deployment has its proxy rewrite REMOTE_ADDR instead.
    return Actor(
        user=request.user,
        source_ip=request.META.get("REMOTE_ADDR") or None,
        on_behalf_of=on_behalf_of,
        purpose=purpose,
    )
