"""Hot-spot matrices and case lists over the reports' facts (kind × unit, unit × week...).

Each cell counts the cases received and how many finished on time of those finished or
overdue (the 按时办结率 of the cell), so the dashboard can colour where matters pile up
and where they run late.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .errors import FieldError, FormInvalid
from .models import Case
from .rates import CaseFacts
from .reporting import rate_rows

AXES = ("kind", "unit", "department", "tier", "channel", "week", "month")


@dataclass(frozen=True)
class HeatCell:
    """One cell: its row and column values, the cases received and the on-time share."""

    row: str
    column: str
    received: int
    finished_on_time: int
    finished_or_overdue: int
    on_time_rate: float | None


@dataclass(frozen=True)
class Heatmap:
    """A matrix of cells; rows and columns sorted by how many cases they hold (most first)."""

    rows_by: str
    columns_by: str
    rows: list[str]
    columns: list[str]
    cells: list[HeatCell]

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON values."""
        return {
            "rows_by": self.rows_by, "columns_by": self.columns_by, "rows": self.rows,
            "columns": self.columns,
            "cells": [{"row": c.row, "column": c.column, "received": c.received,
                       "finished_on_time": c.finished_on_time,
                       "finished_or_overdue": c.finished_or_overdue,
                       "on_time_rate": c.on_time_rate} for c in self.cells],
        }  # fmt: skip


def check_axes(rows_by: str, columns_by: str) -> None:
    """Raise FormInvalid unless both axes are known and differ."""
    errors = [
        FieldError(name, "not_an_option", {"value": value, "choices": list(AXES)})
        for name, value in (("rows", rows_by), ("columns", columns_by))
        if value not in AXES
    ]
    if not errors and rows_by == columns_by:
        others = [axis for axis in AXES if axis != rows_by]
        errors.append(
            FieldError("columns", "not_an_option", {"value": columns_by, "choices": others})
        )
    if errors:
        raise FormInvalid(errors)


def heatmap(facts: list[CaseFacts], rows_by: str, columns_by: str, now: datetime) -> Heatmap:
    """Count the cases per (row value, column value); cases lacking either are left out."""
    check_axes(rows_by, columns_by)
    groups: dict[tuple[str, str], list[CaseFacts]] = defaultdict(list)
    for one in facts:
        row, column = getattr(one, rows_by), getattr(one, columns_by)
        if row and column:
            groups[(row, column)].append(one)
    totals: dict[str, dict[str, int]] = {"row": defaultdict(int), "column": defaultdict(int)}
    cells = []
    for (row, column), members in groups.items():
        counted = rate_rows(members, None, now)[0]
        totals["row"][row] += counted.received
        totals["column"][column] += counted.received
        cells.append(HeatCell(row, column, counted.received, counted.finished_on_time,
                              counted.finished_or_overdue, counted.on_time_rate))  # fmt: skip
    time_axis = columns_by in ("week", "month")

    def order(counts: dict[str, int], by_time: bool) -> list[str]:
        return sorted(counts) if by_time else sorted(counts, key=lambda k: (-counts[k], k))

    return Heatmap(rows_by, columns_by, order(totals["row"], rows_by in ("week", "month")),
                   order(totals["column"], time_axis),
                   sorted(cells, key=lambda c: (c.row, c.column)))  # fmt: skip


@dataclass(frozen=True)
class CaseLine:
    """One case of an exported list, in plain values."""

    key: str
    title: str
    status: str
    facts: CaseFacts


def case_lines(session: Session, facts: list[CaseFacts]) -> list[CaseLine]:
    """Number, title and status of these cases (in the order of their receipt)."""
    by_id = {f.case_id: f for f in facts}
    names: dict[int, tuple[str, str, str]] = {}
    ids = sorted(by_id)
    for start in range(0, len(ids), 900):
        query = select(Case.id, Case.business_key, Case.title, Case.status).where(
            Case.id.in_(ids[start : start + 900])
        )
        for case_id, key, title, status in session.execute(query):
            names[case_id] = (key, title, status)
    lines = [CaseLine(*names[i], by_id[i]) for i in ids if i in names]
    return sorted(lines, key=lambda line: (_stamp(line.facts.received_at), line.key))


def _stamp(moment: datetime | None) -> float:
    return moment.timestamp() if moment is not None else 0.0
