"""Who is acting, from where and why: passed to every service that touches client data."""

from dataclasses import dataclass

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
    user: object  # core.User
    source_ip: str | None = None
    on_behalf_of: str = ""
    purpose: str = ""

    @property
    def effective_purpose(self) -> str:
        return self.purpose or _PURPOSE_BY_ROLE.get(self.user.role, Purpose.CARE)


def actor_from_request(request, *, on_behalf_of: str = "", purpose: str = "") -> Actor:
    # REMOTE_ADDR only: X-Forwarded-For is set by whoever sends the request, so a
    # proxy deployment has its proxy rewrite REMOTE_ADDR instead.
    return Actor(
        user=request.user,
        source_ip=request.META.get("REMOTE_ADDR") or None,
        on_behalf_of=on_behalf_of,
        purpose=purpose,
    )
