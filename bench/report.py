"""The results as a markdown table, with the machine, versions and date they were measured on."""

from __future__ import annotations

import math
import os
import platform
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata

from bench.backoffice import DEADLINES_SMALL, DUE, BackofficeFigures
from bench.importing import ImportFigures, KindFigures
from bench.register import RegisterFigures, median

LIBRARIES = ("litestar", "uvicorn", "uvloop", "httptools", "sqlalchemy", "sqlmodel", "asyncpg", "pydantic", "arq")


@dataclass
class Setup:
    companies: int
    recognitions: int
    runs: int
    seconds: int
    postgres: str
    quick: bool
    load_start: tuple[float, float, float] = (0.0, 0.0, 0.0)
    load_end: tuple[float, float, float] = (0.0, 0.0, 0.0)


def _cpu() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _wrk_version() -> str:
    try:
        out = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout
        return out.split()[1] if out else "absent"
    except OSError:
        return "absent"


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "absent"


def machine(setup: Setup) -> list[str]:
    libraries = ", ".join(f"{name} {_version(name)}" for name in LIBRARIES)
    return [
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {os.cpu_count()} cores ({_cpu()}), {platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}, PostgreSQL {setup.postgres}, wrk {_wrk_version()}",
        f"- Libraries: {libraries}",
        f"- Data: {setup.companies:,} companies, {setup.recognitions:,} recognitions; "
        f"{setup.runs} runs, medians; HTTP runs of {setup.seconds} s, one API process (uvicorn, `bench.ceilings`)"
        + (" — QUICK smoke run, not the benchmark" if setup.quick else ""),
        f"- Load average (1/5/15 min) at the start {'/'.join(f'{x:.1f}' for x in setup.load_start)}, at the end "
        f"{'/'.join(f'{x:.1f}' for x in setup.load_end)}"
        # Judged by the last minute before the start: the load at the end includes the benchmark's own work.
        + (" — the machine was busy with other work when this started; ratios compare both sides under the"
           " same load, absolute rates are lower than on an idle machine"
           if setup.load_start[0] > 0.5 * (os.cpu_count() or 1) else ""),
    ]


def _mark(ok: bool | None) -> str:
    return "—" if ok is None else ("met" if ok else "**missed**")


def _row(figure: str, measured: str, ceiling: str, ratio: float, goal: str, ok: bool | None) -> str:
    shown = "n/a" if math.isnan(ratio) else f"{ratio:.2f}"
    return f"| {figure} | {measured} | {ceiling} | {shown} | {goal} | {_mark(ok)} |"


def _import_rows(figures: ImportFigures) -> list[str]:
    rows = []
    named: list[tuple[str, KindFigures]] = [("all three files", figures.total())]
    named += [(kind, f) for kind, f in figures.kinds.items()]
    for name, f in named:
        ratio = median(f.ratios(f.import_s))
        headline = name == "all three files"
        rows.append(_row(
            f"Import {name} ({f.rows:,} rows), fresh" + (" **(headline)**" if headline else ""),
            f"{f.rate(f.import_s):,.0f} rows/s", f"{f.rate(f.copy_s):,.0f} rows/s (`psql \\copy`)", ratio,
            "≥ 0.5" if headline else "", (ratio >= 0.5) if headline else None,
        ))
    for name, f in named[:1]:
        ratio = median(f.ratios(f.reimport_s))
        rows.append(_row(f"Re-import {name}, nothing differs", f"{f.rate(f.reimport_s):,.0f} rows/s",
                         f"{f.rate(f.copy_s):,.0f} rows/s", ratio, "", None))
    return rows


def split(figures: ImportFigures) -> list[str]:
    """Where the fresh import's time goes, per file (medians), to read the import figure by."""
    lines = []
    for kind, f in figures.kinds.items():
        parts = {name: median([p[name] for p in f.phases if name in p]) for name in ("read", "check", "upsert")}
        if any(math.isnan(v) for v in parts.values()):
            continue
        rest = median(f.import_s) - sum(parts.values())
        lines.append(f"- {kind}: {median(f.import_s):.1f} s = read {parts['read']:.1f} s (parse, COPY the cells) "
                     f"+ check {parts['check']:.1f} s (the API's rules, in SQL) + merge {parts['upsert']:.1f} s "
                     "(PostgreSQL: checks, upsert, indexes, foreign keys"
                     f"{', periods' if kind == 'recognitions' else ''})"
                     f" + {rest:.1f} s process start and commit; `psql \\copy`: {median(f.copy_s):.1f} s")
    if figures.constraint_s and "recognitions" in figures.kinds:
        gist = median(figures.constraint_s)
        copy_all = median(figures.total().copy_s)
        lines.append(
            f"- floor: building the periods' exclusion constraint (GiST over the recognition's uuid and the date "
            f"range, btree_gist), timed by itself over the same imported rows, takes {gist:.1f} s: "
            f"{gist / median(figures.kinds['recognitions'].copy_s):.0f}× the `psql \\copy` of the recognitions, "
            f"{gist / copy_all:.1f}× that of all three files. While that constraint exists, no import into these "
            f"tables can exceed a headline ratio of {copy_all / gist:.2f}"
        )
    return ["Where the fresh import's time goes (medians):", "", *lines] if lines else []


def _register_rows(figures: RegisterFigures) -> list[str]:
    rows = []
    if figures.verify:
        rps = median([r.requests_per_s for r in figures.verify])
        p99 = median([r.p99_ms for r in figures.verify])
        if figures.ceiling:
            ceiling = median([r.requests_per_s for r in figures.ceiling])
            ratio = median([v.requests_per_s / c.requests_per_s
                            for v, c in zip(figures.verify, figures.ceiling, strict=True)])
            ceiling_text = f"{ceiling:,.0f} req/s, p99 {median([r.p99_ms for r in figures.ceiling]):.1f} ms"
        else:
            ratio, ceiling_text = float("nan"), "ceiling endpoint absent"
        rows.append(_row("Single verify, anonymous, 32 connections", f"{rps:,.0f} req/s, p99 {p99:.1f} ms",
                         ceiling_text, ratio,
                         "≥ 0.75", None if math.isnan(ratio) else ratio >= 0.75))
    if figures.batch_latency and figures.single_latency:
        batch = median([r.p50_ms for r in figures.batch_latency])
        single = median([r.p50_ms for r in figures.single_latency])
        ratio = median([b.p50_ms / s.p50_ms
                        for b, s in zip(figures.batch_latency, figures.single_latency, strict=True)])
        rows.append(_row("Batch verify of 1,000 pairs, school token, latency (p50)", f"{batch:.1f} ms",
                         f"{single:.2f} ms (one single verify)", ratio, "≤ 30×", ratio <= 30))
    errors = sum(r.non_2xx for group in (figures.verify, figures.ceiling, figures.batch_latency,
                                         figures.single_latency) for r in group)
    if errors:
        rows.append(f"| Non-2xx answers during the HTTP runs | {errors:,} | | | | check rate limits |")
    return rows


def _backoffice_rows(f: BackofficeFigures) -> list[str]:
    rows = []
    if f.outbox_s and f.arq_s:
        ratio = median([a / o for o, a in zip(f.outbox_s, f.arq_s, strict=True)])  # events/s ÷ jobs/s
        rows.append(_row(f"Outbox: {f.outbox_events:,} events, one worker",
                         f"{f.outbox_events / median(f.outbox_s):,.0f} events/s",
                         f"{f.outbox_events / median(f.arq_s):,.0f} jobs/s (no-op arq jobs, same worker)",
                         ratio, "≥ 0.5", ratio >= 0.5))
    if f.sweep_big_s and f.sweep_small_s:
        ratio = median([b / s for b, s in zip(f.sweep_big_s, f.sweep_small_s, strict=True)])
        rows.append(_row(f"Deadline sweep, {f.deadlines:,} open deadlines, {DUE} due",
                         f"{median(f.sweep_big_s) * 1000:.1f} ms",
                         f"{median(f.sweep_small_s) * 1000:.1f} ms ({DEADLINES_SMALL:,} open, {DUE} due)",
                         ratio, "≤ 2×", ratio <= 2))
    if f.case_list and f.case_ceiling:
        ratio = median([c.p99_ms / r.p99_ms for c, r in zip(f.case_list, f.case_ceiling, strict=True)])
        rows.append(_row(f"Case list, my cases overdue first ({f.cases:,} cases, {f.mine:,} mine), 32 connections",
                         f"p99 {median([r.p99_ms for r in f.case_list]):.1f} ms, "
                         f"{median([r.requests_per_s for r in f.case_list]):,.0f} req/s",
                         f"p99 {median([r.p99_ms for r in f.case_ceiling]):.1f} ms, "
                         f"{median([r.requests_per_s for r in f.case_ceiling]):,.0f} req/s (one plain SELECT)",
                         ratio, "", None))
    return rows


def table(imports: ImportFigures | None, register: RegisterFigures | None, skipped: list[str],
          office: BackofficeFigures | None = None) -> list[str]:
    lines = ["| figure | measured | ceiling / baseline | ratio | goal | |", "|---|---|---|---|---|---|"]
    if imports:
        lines += _import_rows(imports)
    if register:
        lines += _register_rows(register)
    if office:
        lines += _backoffice_rows(office)
    notes = [f"- skipped: {why}" for why in skipped + (register.skipped if register else [])
             + (office.skipped if office else [])]
    return lines + ([""] + notes if notes else [])


METHOD = """\
How: `python -m bench` (`make bench`) starts its own databases on the configured or local PostgreSQL
(or an embedded one), Redis, and one API server process; seeds once and reuses the seeded database
while migrations and seeder are unchanged. Import: per run a fresh migrated database; `psql \\copy`
of each CSV into a bare text table (no keys, no indexes), then `erkenning import` of the same file
into the real tables (recognitions also write their periods), then the same import again (nothing
differs, nothing is written); whole commands timed, process start included; the ratio is import
rows/s ÷ COPY rows/s within each run, median over runs. HTTP: wrk with a Lua script that varies the
company per request, the ceiling (one primary-key SELECT through the same app) and the verify
endpoint back to back in each run, anonymous as the public calls them; batch latency against
single-verify latency at one connection, both with the school token the batch needs.
Request logging is off (LOG_LEVEL=WARNING) so the figures measure the app, not the log sink, and the
register's rate limits are off (REGISTER_*_LIMIT=0): the load comes from one address and one school.
Back office (fresh databases from the migrated template): the outbox as one burst arq worker with
the app's worker settings running N events of a no-op topic, against the same worker running N no-op
arq jobs; the deadline sweep timed in-process, 100,000 and 1,000 open deadlines (100 due in each)
swept alternately, the due ones unmarked between sweeps, median per run; the case list
(`?mine=true`) and its ceiling endpoint under wrk with an adviser's token, back to back."""
