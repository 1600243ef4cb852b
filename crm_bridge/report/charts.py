"""Charts as inline SVG, so a report is one self-contained file that opens offline.

A :class:`Chart` is data (title, kind, category labels, one or more series); :func:`render_svg`
draws it. Kinds: ``bar`` (vertical, grouped when several series), ``hbar`` (horizontal, for
long labels such as owners or personas) and ``funnel`` (stages with conversion between them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Literal, TypeAlias

ChartKind: TypeAlias = Literal["bar", "hbar", "funnel"]
PALETTE = ("#2f6db5", "#e07b39", "#3a9d5d", "#c44e52", "#8172b2", "#937860", "#64b5cd")


@dataclass(frozen=True, slots=True)
class Series:
    """One named series of numbers, one per category."""

    name: str
    values: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class Chart:
    """A chart: what it shows, its categories and series, and how to print values."""

    id: str
    title: str
    kind: ChartKind
    labels: tuple[str, ...]
    series: tuple[Series, ...]
    unit: str = ""
    note: str = ""
    decimals: int = 0
    extra: dict[str, str] = field(default_factory=dict)
    #: a zero is a measured value (e.g. 0 % compliance), not the absence of data
    zero_is_data: bool = False

    @property
    def empty(self) -> bool:
        """Nothing to draw: no categories, or only zeros where a zero means "no data"."""
        if not self.labels:
            return True
        return not self.zero_is_data and all(v == 0 for s in self.series for v in s.values)


def fmt(value: float, unit: str = "", decimals: int = 0) -> str:
    """Human number: thousands separators, optional unit (``$`` prefixes, others suffix)."""
    return fmt_text(f"{value:,.{decimals}f}", unit)


def compact(value: float, unit: str = "") -> str:
    """Short number for tight labels: ``$165k``, ``1.2M``, ``42``."""
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            scaled = value / size
            text = f"{scaled:.0f}{suffix}" if abs(scaled) >= 10 else f"{scaled:.1f}{suffix}"
            break
    else:
        text = f"{value:.0f}"
    return fmt_text(text, unit)


def fmt_text(text: str, unit: str) -> str:
    """Attach a unit to an already formatted number (``$`` prefixes, others suffix)."""
    if unit == "$":
        return f"${text}"
    if unit == "%":
        return f"{text}%"
    return f"{text} {unit}".strip()


def render_svg(chart: Chart) -> str:
    """The chart as an ``<svg>`` element (with ``<title>`` tooltips on every mark)."""
    if chart.empty:
        return (
            f'<svg class="chart empty" data-chart="{escape(chart.id)}" width="640" height="60" '
            f'role="img"><text x="10" y="35">No data for this period.</text></svg>'
        )
    if chart.kind == "hbar":
        return _hbar(chart)
    if chart.kind == "funnel":
        return _funnel(chart)
    return _bar(chart)


def _max(chart: Chart) -> float:
    return max((v for s in chart.series for v in s.values), default=0.0) or 1.0


def _open(chart: Chart, width: int, height: int) -> list[str]:
    return [
        f'<svg class="chart" data-chart="{escape(chart.id)}" data-kind="{chart.kind}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="{escape(chart.title)}">'
    ]


def _legend(chart: Chart, x: int, y: int) -> list[str]:
    out: list[str] = []
    if len(chart.series) < 2:
        return out
    for i, s in enumerate(chart.series):
        color = PALETTE[i % len(PALETTE)]
        out.append(f'<rect x="{x + i * 150}" y="{y}" width="12" height="12" fill="{color}"/>')
        out.append(f'<text x="{x + i * 150 + 18}" y="{y + 11}">{escape(s.name)}</text>')
    return out


def _bar(chart: Chart) -> str:
    n, k = len(chart.labels), len(chart.series)
    slot = max(48, min(120, 560 // max(n, 1)))
    width, height, base = 80 + slot * n, 262, 236
    top = 48 if k > 1 else 24
    peak = _max(chart)
    out = _open(chart, width, height)
    out += _legend(chart, 60, 6)
    out.append(f'<line x1="60" y1="{base}" x2="{width - 10}" y2="{base}" stroke="#999"/>')
    bar_w = max(6, (slot - 12) // k)
    for i, label in enumerate(chart.labels):
        x0 = 66 + i * slot
        for j, s in enumerate(chart.series):
            v = s.values[i]
            h = (base - top) * v / peak
            color = PALETTE[j % len(PALETTE)]
            out.append(
                f'<rect class="mark" x="{x0 + j * bar_w}" y="{base - h:.1f}" width="{bar_w - 2}" '
                f'height="{h:.1f}" fill="{color}"><title>{escape(label)} · {escape(s.name)}: '
                f"{fmt(v, chart.unit, chart.decimals)}</title></rect>"
            )
            text = fmt(v, chart.unit, chart.decimals) if k == 1 else compact(v, chart.unit)
            out.append(
                f'<text class="value" x="{x0 + j * bar_w + bar_w / 2 - 1:.1f}" '
                f'y="{base - h - 4:.1f}" text-anchor="middle">{text}</text>'
            )
        out.append(
            f'<text class="label" x="{x0 + (bar_w * k) / 2:.1f}" y="{base + 16}" '
            f'text-anchor="middle">{escape(_short(label, slot // 7))}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def _hbar(chart: Chart) -> str:
    n, k = len(chart.labels), len(chart.series)
    row = 10 + 16 * k
    width, left = 560, 150
    top = 28 if k > 1 else 6
    height = top + row * n + 10
    peak = _max(chart)
    out = _open(chart, width, height)
    out += _legend(chart, left, 6)
    for i, label in enumerate(chart.labels):
        y0 = top + i * row
        out.append(
            f'<text class="label" x="{left - 8}" y="{y0 + 13}" text-anchor="end">'
            f"{escape(_short(label, 24))}</text>"
        )
        for j, s in enumerate(chart.series):
            v = s.values[i]
            w = (width - left - 80) * v / peak
            color = PALETTE[j % len(PALETTE)]
            y = y0 + j * 16
            out.append(
                f'<rect class="mark" x="{left}" y="{y}" width="{w:.1f}" height="14" '
                f'fill="{color}"><title>{escape(label)} · {escape(s.name)}: '
                f"{fmt(v, chart.unit, chart.decimals)}</title></rect>"
                f'<text class="value" x="{left + w + 6:.1f}" y="{y + 11}">'
                f"{fmt(v, chart.unit, chart.decimals)}</text>"
            )
    out.append("</svg>")
    return "".join(out)


def _funnel(chart: Chart) -> str:
    values = chart.series[0].values
    n = len(chart.labels)
    width, row, top = 720, 44, 10
    height = top + row * n + 10
    peak = max(values) or 1.0
    out = _open(chart, width, height)
    for i, label in enumerate(chart.labels):
        v = values[i]
        w = max(2.0, 460 * v / peak)
        x = 130 + (460 - w) / 2
        y = top + i * row
        conv = ""
        if i > 0 and values[i - 1]:
            conv = f"{100 * v / values[i - 1]:.0f}% of {chart.labels[i - 1]}"
        out.append(
            f'<text class="label" x="122" y="{y + 22}" text-anchor="end">{escape(label)}</text>'
            f'<rect class="mark" x="{x:.1f}" y="{y}" width="{w:.1f}" height="32" '
            f'fill="{PALETTE[0]}" opacity="{1 - i * 0.07:.2f}"><title>{escape(label)}: '
            f"{fmt(v, chart.unit)}</title></rect>"
            f'<text class="value" x="600" y="{y + 14}">{fmt(v, chart.unit)}</text>'
            f'<text class="conv" x="600" y="{y + 30}">{escape(conv)}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def _short(text: str, limit: int) -> str:
    limit = max(limit, 4)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def chart_from_pairs(
    id: str,
    title: str,
    kind: ChartKind,
    pairs: Sequence[tuple[str, float]],
    *,
    series: str = "value",
    unit: str = "",
    note: str = "",
    decimals: int = 0,
    zero_is_data: bool = False,
) -> Chart:
    """A one-series chart from ``(label, value)`` pairs."""
    return Chart(
        id=id,
        title=title,
        kind=kind,
        labels=tuple(p[0] for p in pairs),
        series=(Series(series, tuple(float(p[1]) for p in pairs)),),
        unit=unit,
        note=note,
        decimals=decimals,
        zero_is_data=zero_is_data,
    )
