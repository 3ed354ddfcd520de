"""The yearly Stagepact report: one self-contained HTML page (tables, inline SVG charts, an embedded
print stylesheet), with small numbers suppressed. The HTTP route and `erkenning report stagepact`
write the same bytes.

The page needs no script and no file besides itself. Its only style is the embedded stylesheet, which
the route's Content-Security-Policy allows by its hash (`CSP`); the charts carry no inline style.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core import clock
from erkenning.stagepact import charts, queries, targets
from erkenning.stagepact.catalogue import BY_KEY, SECTIONS, SPECS, Key, Unit, category_label
from erkenning.stagepact.indicators import Cell, Comparison, Row
from erkenning.stagepact.period import Period
from erkenning.stagepact.suppression import SECONDARY, SHOWN_AS, THRESHOLD, WITHHELD, Reason, hidden_keys
from erkenning.vocabulary import TARGET_DIRECTIONS, TARGET_VERDICTS, TRENDS, long_date

TEMPLATES = Path(__file__).parent / "templates"
STYLESHEET = (TEMPLATES / "report.css").read_text(encoding="utf-8")
CSP = (
    "default-src 'none'; "
    f"style-src 'sha256-{base64.b64encode(hashlib.sha256(STYLESHEET.encode()).digest()).decode()}'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
TREND_YEARS = 5
TREND_COUNTS: dict[Key, str] = {
    ("reports", "received", None): "Meldingen ontvangen",
    ("investigations", "opened", None): "Onderzoeken geopend",
    ("investigations", "closed", None): "Onderzoeken afgerond",
}
TREND_DAYS: dict[Key, str] = {
    ("lead_times", "triage_days_median", None): "Melding tot beoordeling",
    ("lead_times", "decision_days_median", None): "Onderzoek tot besluit",
}


# ------------------------------------------------------------------ Dutch numbers


def _number(value: float, unit: Unit, *, signed: bool = False) -> str:
    sign = "+" if signed and value > 0 else ""
    if unit is Unit.COUNT:
        return sign + f"{int(value):,}".replace(",", ".")
    text = sign + f"{value:.1f}".replace(".", ",")
    if unit is Unit.PERCENT:
        return text + (" %-punt" if signed else "%")
    return text


def shown(cell: Cell, unit: Unit, *, change: bool = False) -> str:
    """A cell as the report prints it: "<5", "x" or "–" when hidden, "n.v.t." when undefined."""
    if cell.suppressed:
        return "–" if cell.text == WITHHELD else cell.text
    if cell.value is None:
        return "n.v.t."
    return _number(cell.value, unit, signed=change)


# ------------------------------------------------------------------ targets


@dataclass(frozen=True)
class GoalLine:
    """One figure against its target, in the words the pages print."""

    label: str
    target: str
    current: str
    previous: str
    trend: str
    verdict: str  # the Dutch word
    code: str  # met, not_met, no_data
    source: str


def goal_lines(rows: Iterable[Row]) -> list[GoalLine]:
    """The rows that have a target, in catalogue order."""
    lines = []
    for row in rows:
        goal = row.goal
        if goal is None:
            continue
        unit = row.spec.unit
        lines.append(GoalLine(
            label=row.spec.label,
            target=f"{TARGET_DIRECTIONS[goal.target.direction.value]} {_number(goal.target.value, unit)}",
            current=shown(row.current, unit),
            previous=shown(row.previous, unit),
            trend=TRENDS[goal.trend.value] if goal.trend else "–",
            verdict=TARGET_VERDICTS[goal.verdict.value],
            code=goal.verdict.value,
            source=goal.target.source,
        ))
    return lines


def goal_summary(lines: list[GoalLine], year: int) -> str:
    """One sentence: how many targets of `year` are met, not met, or without data."""
    if not lines:
        return f"Voor {year} zijn geen doelen vastgelegd."
    no_data_yet = "geen gegevens (verborgen of niet te berekenen)"
    if len(lines) == 1:
        return {
            targets.Verdict.MET: f"Het doel voor {year} is gehaald.",
            targets.Verdict.NOT_MET: f"Het doel voor {year} is niet gehaald.",
        }.get(targets.Verdict(lines[0].code), f"Over het doel voor {year} zijn {no_data_yet}.")
    met, not_met, no_data = (sum(1 for line in lines if line.code == v) for v in targets.Verdict)
    said = f"Van de {len(lines)} doelen voor {year} "
    said += f"{'is' if met == 1 else 'zijn'} er {met} gehaald en {not_met} niet gehaald"
    if no_data:
        said += f"; over {no_data} zijn {no_data_yet}"
    return said + "."


# ------------------------------------------------------------------ what the page holds


@dataclass(frozen=True)
class Block:
    """A table of figures, with a chart beside it when `chart` is set."""

    title: str
    rows: list[Row]
    chart: Markup | None = None
    category_column: bool = False


@dataclass(frozen=True)
class Trend:
    title: str
    chart: Markup
    years: list[int]
    series: list[tuple[str, list[str]]]


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    blocks: list[Block]
    trend: Trend | None = None


def _rows(rows: dict[Key, Row], *keys: Key) -> list[Row]:
    return [rows[k] for k in keys]


def _matching(rows: dict[Key, Row], section: str, name: str) -> list[Row]:
    return [r for k, r in rows.items() if k[0] == section and k[1] == name]


def _bar_block(chart_id: str, title: str, rows: list[Row], *, period: str, axis: str) -> Block:
    bars = [
        charts.Bar(r.key[2] or "", category_label(r.key), r.current.value, shown(r.current, r.spec.unit)) for r in rows
    ]
    svg = charts.bar_chart(
        chart_id,
        f"{title} ({period})",
        "Staafdiagram met één staaf per categorie; "
        f"verborgen aantallen ('{SHOWN_AS}', '{SECONDARY}') hebben geen staaf. "
        "De tabel ernaast geeft dezelfde cijfers met het jaar ervoor.",
        bars,
        value_axis="Aantal",
        category_axis=axis,
    )
    return Block(title, rows, Markup(svg), category_column=True)


def _trend(chart_id: str, title: str, keys: dict[Key, str], years: list[int], values: dict[int, dict[Key, Any]],
           hidden: dict[int, dict[Key, Reason]], axis: str) -> Trend:
    series = []
    for key, label in keys.items():
        unit = BY_KEY[key].unit
        cells = [Cell.hidden(hidden[y][key]) if key in hidden[y] else Cell(values[y][key], "") for y in years]
        series.append((label, [c.value for c in cells], [shown(c, unit) for c in cells]))
    svg = charts.line_chart(
        chart_id,
        title,
        f"Lijndiagram over de jaren {years[0]} tot en met {years[-1]}; verborgen punten ('{SHOWN_AS}', '–') "
        "zijn onderbrekingen van de lijn. De tabel ernaast geeft de cijfers.",
        [str(y) for y in years],
        # On the chart only hidden points are marked; an undefined one (no cases) is just a gap.
        [charts.Series(label, vals, [t if t in (SHOWN_AS, SECONDARY, "–") else "" for t in texts])
         for label, vals, texts in series],
        value_axis=axis,
        x_axis="Jaar",
    )
    return Trend(title, Markup(svg), years, [(label, texts) for label, _, texts in series])


def sections(
    period: str, rows: dict[Key, Row], trend_counts: Trend | None = None, trend_days: Trend | None = None
) -> list[Section]:
    """Every figure in `rows` as titled tables, with a bar chart of the current period (labelled
    `period`) where a figure has categories; the yearly report adds the trends, the web page does not."""
    return [
        Section("meldingen", SECTIONS["reports"], [
            Block("Ontvangen meldingen", _rows(rows, ("reports", "received", None), ("reports", "schools", None))),
            _bar_block("chart-channel", "Meldingen per kanaal", _matching(rows, "reports", "by_channel"),
                       period=period, axis="Kanaal"),
            _bar_block("chart-ground", "Meldingen per discriminatiegrond", _matching(rows, "reports", "by_ground"),
                       period=period, axis="Grond"),
            _bar_block("chart-sector", "Meldingen per sector", _matching(rows, "reports", "by_sector"),
                       period=period, axis="Sector"),
        ], trend_counts),
        Section("triage", SECTIONS["triage"], [
            Block("Beoordeelde meldingen", _rows(rows, ("triage", "decided", None))),
            _bar_block("chart-triage", "Uitkomst van de beoordeling", _matching(rows, "triage", "outcome"),
                       period=period, axis="Uitkomst"),
            Block("Aandeel per uitkomst", _matching(rows, "triage", "share"), category_column=True),
        ]),
        Section("onderzoeken", SECTIONS["investigations"], [
            Block("Onderzoeken", _matching(rows, "investigations", "opened")
                  + _matching(rows, "investigations", "closed")
                  + _matching(rows, "investigations", "open_at_end")),
            _bar_block("chart-outcome", "Uitkomst van afgeronde onderzoeken",
                       _matching(rows, "investigations", "outcome"), period=period, axis="Uitkomst"),
            Block(SECTIONS["objections"], [r for k, r in rows.items() if k[0] == "objections"]),
        ]),
        Section("doorlooptijden", SECTIONS["lead_times"], [
            Block("Doorlooptijden in kalenderdagen", [r for k, r in rows.items() if k[0] == "lead_times"]),
        ], trend_days),
        Section("verbeterafspraken", SECTIONS["follow_up"], [
            Block("Nagegane verbeterafspraken", [r for k, r in rows.items() if k[0] == "follow_up"]),
        ]),
        Section("cursussen", "Cursussen", [
            _bar_block("chart-format", "Inschrijvingen per vorm", [
                r for r in _matching(rows, "training_by_format", "enrolled") if r.key[2] != "total"
            ], period=period, axis="Vorm"),
            Block("Deelnames per vorm", [r for k, r in rows.items() if k[0] == "training_by_format"]),
            _bar_block("chart-topic", "Gevolgde of afgeronde cursussen per onderwerp",
                       _matching(rows, "training_by_topic", "completed"), period=period, axis="Onderwerp"),
            Block("Deelnames per onderwerp", [r for k, r in rows.items() if k[0] == "training_by_topic"]),
            Block(SECTIONS["course_reach"], [r for k, r in rows.items() if k[0] == "course_reach"]),
            _bar_block("chart-reach", "Leerbedrijven die een cursus volgden, per onderwerp",
                       _matching(rows, "reach_by_topic", "companies"), period=period, axis="Onderwerp"),
            Block(SECTIONS["invitations"], [r for k, r in rows.items() if k[0] == "invitations"]),
        ]),
    ]


# ------------------------------------------------------------------ building and rendering


@dataclass(frozen=True)
class ReportData:
    year: int
    comparison: Comparison
    trend_years: list[int]
    trend_values: dict[int, dict[Key, Any]]
    generated_on: date


async def gather(session: AsyncSession, year: int, *, lead_time_weeks: int) -> ReportData:
    """Every number the report of `year` shows: that year, the one before, and the trend years."""
    years = list(range(year - TREND_YEARS + 1, year + 1))
    values = {y: await queries.snapshot(session, Period.year(y), lead_time_weeks=lead_time_weeks) for y in years}
    period = Period.year(year)
    comparison = Comparison(
        period, period.previous(), values[year], values[year - 1], await targets.for_year(session, year)
    )
    return ReportData(year, comparison, years, values, clock.today())


def render(data: ReportData) -> str:
    """The page (CPU-bound: run it in a thread from async code)."""
    rows = {r.key: r for r in data.comparison.rows(suppressed=True)}
    goals = goal_lines(rows.values())
    hidden = {y: hidden_keys(v) for y, v in data.trend_values.items()}
    counts = _trend("chart-trend-counts", "Meldingen en onderzoeken per jaar", TREND_COUNTS, data.trend_years,
                    data.trend_values, hidden, "Aantal")
    days = _trend("chart-trend-days", "Mediane doorlooptijd per jaar (dagen)", TREND_DAYS, data.trend_years,
                  data.trend_values, hidden, "Dagen")
    env = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )
    env.filters.update(shown=shown, long_date=long_date, category=category_label)
    return env.get_template("report.html").render(
        year=data.year,
        period=data.comparison.period,
        previous=data.comparison.previous,
        generated_on=data.generated_on,
        sections=sections(str(data.year), rows, counts, days),
        goals=goals,
        goal_summary=goal_summary(goals, data.year),
        css=Markup(STYLESHEET),
        threshold=THRESHOLD,
        shown_as=SHOWN_AS,
        secondary=SECONDARY,
        specs=SPECS,
    )


async def stagepact_report(session: AsyncSession, year: int, *, lead_time_weeks: int) -> str:
    data = await gather(session, year, lead_time_weeks=lead_time_weeks)
    return await asyncio.to_thread(render, data)
