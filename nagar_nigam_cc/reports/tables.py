"""A report's result as plain data: columns, rows of cells, each number with the link to the complaints
behind it. The page, the CSV and the Excel export all render this one value."""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    #: "text", "int", "percent" (a 0–1 share), "hours" (a number of hours), "datetime"
    kind: str = "int"


@dataclass(frozen=True)
class Cell:
    value: Any
    #: The desk's complaint list showing exactly what this number counts (None for labels and shares).
    link: str | None = None

    @property
    def shown(self) -> str:
        return "" if self.value is None else str(self.value)


@dataclass
class Table:
    columns: list[Column]
    rows: list[list[Cell]] = field(default_factory=list)
    #: A last row of totals, shown apart (not sorted with the others).
    total: list[Cell] | None = None
    caption: str = ""
    #: For long registers: every row for the exports, as plain values (a generator, read once, streamed
    #: from the database), while `rows` holds only the page shown. None: the exports write `rows`.
    stream: Callable[[], Iterable[list]] | None = None
    #: More for the page's template (a register's page number, its total …).
    extra: dict = field(default_factory=dict)

    def plain_rows(self, *, with_total: bool = True):
        """The values only, for exports: shares as percentages rounded to one decimal."""
        if self.stream is not None:
            for values in self.stream():
                yield [_export_value(column, value) for column, value in zip(self.columns, values)]
            return
        rows = self.rows + ([self.total] if with_total and self.total else [])
        for row in rows:
            yield [_export_value(column, cell.value) for column, cell in zip(self.columns, row)]


def _export_value(column: Column, value):
    if value is None:
        return None
    if column.kind == "percent":
        return round(100 * value, 1)
    if column.kind == "hours":
        return round(value, 1)
    return value


#: Colours of the charts, in order (the desk's orange first); SLA outcomes have their own.
PALETTE = ("#ea580c", "#2563eb", "#16a34a", "#9333ea", "#dc2626", "#0891b2", "#ca8a04", "#db2777")


@dataclass
class Chart:
    """A chart of a report, drawn by unfold's Chart.js bundle (reports/_chart.html)."""

    kind: str  # "bar" or "line"
    labels: list[str]
    #: [{"label": …, "data": [numbers], "color": "#rrggbb"}]
    datasets: list[dict]
    title: str = ""
    stacked: bool = False
    #: Values are percentages (0–100): the axis is 0–100 and says so.
    percent: bool = False
    horizontal: bool = False

    def data_json(self) -> str:
        datasets = []
        for index, dataset in enumerate(self.datasets):
            color = dataset.get("color") or PALETTE[index % len(PALETTE)]
            datasets.append({
                "label": str(dataset["label"]), "data": list(dataset["data"]),
                "backgroundColor": color, "borderColor": color,
                **({"fill": False, "tension": 0.2, "pointRadius": 3} if self.kind == "line" else {}),
            })
        return json.dumps({"labels": [str(label) for label in self.labels], "datasets": datasets})

    def options_json(self) -> str:
        value_axis = {"stacked": self.stacked, "beginAtZero": True, "grid": {}, "ticks": {}}
        if self.percent:
            value_axis.update(min=0, max=100)
        label_axis = {"stacked": self.stacked, "grid": {}, "ticks": {"autoSkip": False} if self.horizontal else {}}
        return json.dumps({
            "animation": False, "responsive": True, "maintainAspectRatio": False,
            "indexAxis": "y" if self.horizontal else "x",
            "plugins": {"legend": {"display": len(self.datasets) > 1, "position": "bottom"},
                        "tooltip": {"enabled": True}},
            "scales": {"x": value_axis if self.horizontal else label_axis,
                       "y": label_axis if self.horizontal else value_axis},
        })

    @property
    def height(self) -> int:
        """Pixels: horizontal bars grow with their rows."""
        return max(220, 28 * len(self.labels) + 80) if self.horizontal else 300
