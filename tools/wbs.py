"""The shape of a work breakdown: children, leaves, ancestors and leaf-level links.

A dependency on a summary package means a dependency on each of its leaves, and a leaf
inherits the dependencies of every summary above it; these helpers make that expansion once.
All walks guard against a parent loop so that validation can report it instead of hanging.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from tools.domain import WorkPackage


def children_of(wbs: Iterable[WorkPackage]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for wp in wbs:
        if wp.parent:
            out.setdefault(wp.parent, []).append(wp.code)
    return out


def ancestors(wbs: Iterable[WorkPackage]) -> dict[str, list[str]]:
    """Each package's parents, nearest first, stopping at a loop or an unknown parent."""
    by_code = {wp.code: wp for wp in wbs}
    out: dict[str, list[str]] = {}
    for code, wp in by_code.items():
        chain: list[str] = []
        parent, seen = wp.parent, {code}
        while parent and parent in by_code and parent not in seen:
            chain.append(parent)
            seen.add(parent)
            parent = by_code[parent].parent
        out[code] = chain
    return out


def leaf_codes_under(wbs: Iterable[WorkPackage]) -> Mapping[str, list[str]]:
    """Each package's leaf descendants in WBS order (a leaf maps to itself)."""
    packages = list(wbs)
    kids = children_of(packages)
    out: dict[str, list[str]] = {}

    def visit(code: str, seen: frozenset[str]) -> list[str]:
        if code in out:
            return out[code]
        below = [k for k in kids.get(code, []) if k not in seen]
        result = [leaf for k in below for leaf in visit(k, seen | {code})] if below else [code]
        out[code] = result
        return result

    for wp in packages:
        visit(wp.code, frozenset())
    return out


def leaves(wbs: Iterable[WorkPackage]) -> list[WorkPackage]:
    packages = list(wbs)
    kids = children_of(packages)
    return [wp for wp in packages if wp.code not in kids]


@dataclass(frozen=True, slots=True)
class LeafLink:
    predecessor: str
    type: str
    lag_days: float


def leaf_links(wbs: Iterable[WorkPackage]) -> dict[str, list[LeafLink]]:
    """Leaf-level predecessors of every leaf, summaries expanded; unknown codes dropped."""
    packages = list(wbs)
    by_code = {wp.code: wp for wp in packages}
    under = leaf_codes_under(packages)
    up = ancestors(packages)
    out: dict[str, list[LeafLink]] = {}
    for wp in leaves(packages):
        links: list[LeafLink] = []
        for owner in [wp.code, *up[wp.code]]:
            for dep in by_code[owner].depends_on:
                links.extend(
                    LeafLink(p, dep.type, dep.lag_days) for p in under.get(dep.predecessor, [])
                )
        out[wp.code] = list(dict.fromkeys(links))
    return out
