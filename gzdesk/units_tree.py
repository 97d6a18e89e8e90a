"""The unit tree (county → township/bureau → 内设机构) built from ``registry.list_units`` rows.

Pure functions over ``UnitData`` lists: the tree order shown in the window and in unit pickers,
the descendants a unit may not be moved under, and the search filter that keeps a match's ancestors.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from gzdesk import enums
from gzdesk.enums import UnitType
from gzdesk.registry import UnitData

# Siblings are shown government first, then townships and streets, then bureaus, then the rest.
KIND_ORDER: list[str] = [UnitType.GOVERNMENT, UnitType.DEV_ZONE, UnitType.TOWNSHIP, UnitType.SUBDISTRICT,
              UnitType.DEPARTMENT, UnitType.INSTITUTION, UnitType.AGENCY, UnitType.INTERNAL, UnitType.OTHER]


def _kind_rank(u: UnitData) -> int:
    return KIND_ORDER.index(u.kind) if u.kind in KIND_ORDER else len(KIND_ORDER)


def children_map(units: Iterable[UnitData], name_key: Callable[[str], Any] | None = None,
                 ) -> dict[int | None, list[UnitData]]:
    """parent id → children in display order; a unit whose parent is missing counts as a root (None).

    ``name_key`` orders names within a kind (the window passes a pinyin collation key); default: as stored.
    """
    key = name_key or (lambda name: name)
    units = list(units)
    ids = {u.id for u in units}
    out: dict[int | None, list[UnitData]] = {}
    for u in units:
        parent = u.parent_id if u.parent_id in ids and u.parent_id != u.id else None
        out.setdefault(parent, []).append(u)
    for kids in out.values():
        kids.sort(key=lambda u: (_kind_rank(u), key(u.name)))
    return out


def tree_order(units: Iterable[UnitData], name_key: Callable[[str], Any] | None = None,
               ) -> list[tuple[int, UnitData]]:
    """(depth, unit) depth-first in display order; every unit exactly once even if data has a cycle."""
    units = list(units)
    kids = children_map(units, name_key)
    out: list[tuple[int, UnitData]] = []
    seen: set[int | None] = set()

    def walk(parent: int | None, depth: int) -> None:
        for u in kids.get(parent, []):
            if u.id in seen:
                continue
            seen.add(u.id)
            out.append((depth, u))
            walk(u.id, depth + 1)

    walk(None, 0)
    for u in units:  # members of a parent cycle are unreachable from a root: show them at the top
        if u.id not in seen:
            seen.add(u.id)
            out.append((0, u))
            walk(u.id, 1)
    return out


def descendant_ids(units: Iterable[UnitData], unit_id: int | None) -> set[int]:
    """The unit's own id and every unit below it (what may not become its 上级单位)."""
    if unit_id is None:
        return set()
    kids = children_map(units)
    out = {unit_id}
    stack = [unit_id]
    while stack:
        for child in kids.get(stack.pop(), []):
            if child.id is not None and child.id not in out:
                out.add(child.id)
                stack.append(child.id)
    return out


def unit_path(units: Iterable[UnitData], unit_id: int | None) -> str:
    """县人民政府 / 某某镇人民政府 / 党政办 — the chain of names down to the unit."""
    by_id = {u.id: u for u in units}
    names: list[str] = []
    seen: set[int] = set()
    while unit_id is not None and unit_id in by_id and unit_id not in seen:
        seen.add(unit_id)
        names.append(by_id[unit_id].name)
        unit_id = by_id[unit_id].parent_id
    return " / ".join(reversed(names))


def unit_paths(units: Iterable[UnitData]) -> dict[int, str]:
    """``unit_path`` of every unit at once (linear in the number of units, for tooltips of big trees)."""
    by_id = {u.id: u for u in units if u.id is not None}
    out: dict[int, str] = {}

    def path(unit_id: int, seen: frozenset[int]) -> str:
        if unit_id in out:
            return out[unit_id]
        u = by_id[unit_id]
        parent = u.parent_id
        if parent is None or parent not in by_id or parent in seen:
            text = u.name
        else:
            text = f"{path(parent, seen | {unit_id})} / {u.name}"
        out[unit_id] = text
        return text

    for unit_id in by_id:
        path(unit_id, frozenset())
    return out


def unit_matches(u: UnitData, text: str) -> bool:
    """Search-box match on name, type, 主要负责人, 分管领导及职务, 联系电话 and 备注."""
    needle = " ".join(text.split()).lower()
    if not needle:
        return True
    hay = " ".join(x or "" for x in (u.name, enums.label("unit_type", u.kind), u.head, u.leader, u.phone,
                                     u.notes)).lower()
    return all(word in hay for word in needle.split())


def filter_units(units: Iterable[UnitData], text: str) -> tuple[set[int], set[int]]:
    """(shown, matched): units matching ``text`` plus their ancestors, so the tree keeps its shape."""
    units = list(units)
    by_id = {u.id: u for u in units if u.id is not None}
    matched = {u.id for u in by_id.values() if u.id is not None and unit_matches(u, text)}
    shown = set(matched)
    for unit_id in matched:
        parent = by_id[unit_id].parent_id
        while parent is not None and parent in by_id and parent not in shown:
            shown.add(parent)
            parent = by_id[parent].parent_id
    return shown, matched


def same_name_unit(units: Iterable[UnitData], name: str, unit_id: int | None) -> UnitData | None:
    """Another unit with exactly this name (imports find units by name, so names must be unique)."""
    name = " ".join((name or "").split())
    for u in units:
        if u.name == name and u.id != unit_id:
            return u
    return None
