"""Words for people, to the canonical roles of tools.vocabulary.ROLES ("Lead DBA", "SRE",
"Power BI developer", "contract deployment engineers"). The vocabulary is data
(data/roles.json); a generic "engineer" or "consultant" resolves by the kind of project."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tools.reading.vocabulary import load

ENGINEER = "<engineer>"
CONSULTANT = "<consultant>"
_ROLES = load("roles")
ENGINEER_BY_KIND: dict[str, str] = _ROLES["engineer_by_kind"]
CONSULTANT_BY_KIND: dict[str, str] = _ROLES["consultant_by_kind"]
_NOT_AFTER = re.compile(rf"^\s+(?:{_ROLES['not_after']})\b", re.I)
"""Words after a role word that make it something else ("developer portals")."""
_ALIASES = tuple(
    (a["role"], re.compile(rf"(?<![\w-])(?:{a['pattern']})(?![\w-])", re.I))
    for a in _ROLES["aliases"]
)


@dataclass(frozen=True)
class RoleHit:
    start: int
    end: int
    role: str
    """A canonical role, or ENGINEER / CONSULTANT before resolve()."""


def find_role(text: str) -> RoleHit | None:
    """The role a phrase names: the earliest match, the longest at that position, the more
    specific alias first ("Power BI developer" is a data engineer, not a developer)."""
    best: RoleHit | None = None
    for role, pattern in _ALIASES:
        for m in pattern.finditer(text):
            if m.end() == m.start() or _NOT_AFTER.match(text[m.end() :]):
                continue
            hit = RoleHit(m.start(), m.end(), role)
            if (
                best is None
                or hit.start < best.start
                or (hit.start == best.start and hit.end > best.end)
            ):
                best = hit
            break
    return best


def resolve(role: str, kind: str | None) -> str:
    """A generic engineer or consultant as the kind of project usually means them."""
    if role == ENGINEER:
        return ENGINEER_BY_KIND.get(kind or "", "sysadmin")
    if role == CONSULTANT:
        return CONSULTANT_BY_KIND.get(kind or "", "business analyst")
    return role
