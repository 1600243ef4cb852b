"""Render a report (sections of headline figures, charts and tables) to one HTML file.

The file is self-contained: CSS, SVG charts and the small script that adds hover details are
inline; nothing is fetched from the network when it is opened.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from crm_bridge.report.charts import Chart, render_svg


@dataclass(frozen=True, slots=True)
class Table:
    """A small table under a chart: header and rows of already-formatted cells."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""


@dataclass(frozen=True, slots=True)
class Section:
    """One topic of the report, with the headline figures both teams look at first."""

    id: str
    title: str
    audience: str
    headline: tuple[tuple[str, str], ...] = ()
    charts: tuple[Chart, ...] = ()
    tables: tuple[Table, ...] = ()
    note: str = ""


@dataclass(frozen=True, slots=True)
class ReportDoc:
    """The whole report."""

    title: str
    generated_at: datetime
    period: str
    source: str
    sections: tuple[Section, ...] = field(default_factory=tuple)


def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("crm_bridge.report", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["svg"] = lambda chart: Markup(render_svg(chart))  # our own escaped SVG
    return env


def render_html(doc: ReportDoc) -> str:
    """The report as one HTML document."""
    template = _env().get_template("report.html.j2")
    chart_count = sum(len(s.charts) for s in doc.sections)
    return template.render(doc=doc, chart_count=chart_count)


def chart_ids(sections: Sequence[Section]) -> list[str]:
    """Ids of every chart, in order (tests and the page script check they all drew)."""
    return [c.id for s in sections for c in s.charts]
