"""The results as a markdown table, with the machine, versions and date they were measured on."""

from __future__ import annotations

import math
import os
import platform
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata

from bench.backoffice import BackofficeFigures
from bench.importing import ImportFigures
from bench.register import RegisterFigures, WrkResult, median

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
        " and the raw app (uvicorn, `bench.rawapp`)"
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


def _spread(values: list[float], fmt: str = "{:.2f}") -> str:
    """median (min–max) over the runs; the median alone for one run."""
    if not values:
        return "n/a"
    if len(values) == 1:
        return fmt.format(values[0])
    return f"{fmt.format(median(values))} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def _row(figure: str, measured: str, ceiling: str, ratios: list[float], goal: str, ok: bool | None) -> str:
    shown = "n/a" if not ratios or any(math.isnan(r) for r in ratios) else _spread(ratios)
    return f"| {figure} | {measured} | {ceiling} | {shown} | {goal} | {_mark(ok)} |"


# A time printed as 0.00 s (a small file's part of the one command) is read as at least this.
_SHORTEST_S = 0.005


def _rates(rows: int, seconds: list[float]) -> str:
    return _spread([rows / max(s, _SHORTEST_S) for s in seconds], "{:,.0f}") + " rows/s"


def _import_rows(figures: ImportFigures) -> list[str]:
    rows = []
    total = figures.total()
    fresh = f"Import all three files ({total.rows:,} rows), fresh"
    if total.floor_s:
        ratios = total.ratios(total.import_s, total.floor_s)
        rows.append(_row(fresh + " **(headline)**", _rates(total.rows, total.import_s),
                         _rates(total.rows, total.floor_s) + " (`psql \\copy` of the final rows, the same "
                         "drop-and-rebuild: the fair floor)", ratios, "≥ 0.5", median(ratios) >= 0.5))
        ratios = total.ratios(total.import_s, total.in_place_s)
        rows.append(_row(fresh, _rates(total.rows, total.import_s),
                         _rates(total.rows, total.in_place_s) + " (`psql \\copy` of the final rows, every "
                         "constraint in place)", ratios, "≥ 1.0", median(ratios) >= 1.0))
    rows.append(_row(fresh + " (information)", _rates(total.rows, total.import_s),
                     _rates(total.rows, total.copy_s) + " (`psql \\copy` into bare text tables)",
                     total.ratios(total.import_s), "", None))
    for kind, f in figures.kinds.items():
        baseline, what = (f.floor_s, "fair floor") if f.floor_s else (f.copy_s, "`psql \\copy`, bare")
        rows.append(_row(f"Import {kind} ({f.rows:,} rows), fresh, its part of the one command",
                         _rates(f.rows, f.import_s),
                         _rates(f.rows, baseline) + f" ({what})", f.ratios(f.import_s, baseline), "", None))
    baseline = total.floor_s or total.copy_s
    rows.append(_row("Re-import all three files, nothing differs", _rates(total.rows, total.reimport_s),
                     _rates(total.rows, baseline), total.ratios(total.reimport_s, baseline), "", None))
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
                     f" + {rest:.1f} s commit and the rest; `psql \\copy` of the final rows: "
                     f"{median(f.floor_s) if f.floor_s else math.nan:.1f} s with the same drop-and-rebuild, "
                     f"{median(f.in_place_s) if f.in_place_s else math.nan:.1f} s with every constraint in place, "
                     f"{median(f.copy_s):.1f} s into a bare table")
        steps = {name: median([s.get(name, 0.0) for s in f.steps]) for s in f.steps for name in s}
        if steps:
            lines.append(f"  - the merge's {sum(steps.values()):.1f} s by step: "
                         + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in steps.items()))
    if figures.command_s:
        own = median([sum(k.import_s[i] for k in figures.kinds.values()) for i in range(len(figures.command_s))])
        lines.append(f"- one command for the three files: {median(figures.command_s):.1f} s, of which "
                     f"{median(figures.command_s) - own:.1f} s process start "
                     "(Python and the modules the command imports)")
    if figures.constraint_s and "recognitions" in figures.kinds:
        gist = median(figures.constraint_s)
        copy_all = median(figures.total().copy_s)
        lines.append(
            f"- floor: building the periods' exclusion constraint (GiST over the recognition's uuid and the date "
            f"range, btree_gist), timed by itself over the same imported rows, takes {gist:.1f} s: "
            f"{gist / median(figures.kinds['recognitions'].copy_s):.0f}× the bare-table `psql \\copy` of the "
            f"recognitions, "
            f"{gist / copy_all:.1f}× that of all three files; the import and both `psql \\copy` floors pay it alike"
        )
    return ["Where the fresh import's time goes (medians):", "", *lines] if lines else []


def _rps(results: list[WrkResult]) -> str:
    return (_spread([r.requests_per_s for r in results], "{:,.0f}") + " req/s, p99 "
            + _spread([r.p99_ms for r in results], "{:.1f}") + " ms")


def _per_run(a: list[WrkResult], b: list[WrkResult]) -> list[float]:
    return [x.requests_per_s / y.requests_per_s for x, y in zip(a, b, strict=True)]


def _register_rows(figures: RegisterFigures) -> list[str]:
    rows = []
    raw = "(separate minimal Litestar + asyncpg app, the same SELECT)"
    if figures.verify and figures.raw:
        ratios = _per_run(figures.verify, figures.raw)
        rows.append(_row("Single verify, anonymous, production rate limit on, 32 connections", _rps(figures.verify),
                         f"{_rps(figures.raw)} {raw}", ratios, "≥ 0.75", median(ratios) >= 0.75))
    if figures.ceiling and figures.raw:
        rows.append(_row("In-app ceiling (the same SELECT through the product's app) (information)",
                         _rps(figures.ceiling), f"{_rps(figures.raw)} {raw}",
                         _per_run(figures.ceiling, figures.raw), "", None))
    if figures.verify and figures.ceiling:
        rows.append(_row("Single verify against the in-app ceiling (information)", _rps(figures.verify),
                         _rps(figures.ceiling) + " (in-app ceiling)", _per_run(figures.verify, figures.ceiling),
                         "", None))
    if figures.batch_latency and figures.single_latency:
        ratios = [b.p50_ms / s.p50_ms for b, s in zip(figures.batch_latency, figures.single_latency, strict=True)]
        rows.append(_row("Batch verify of 1,000 pairs, school token, latency (p50)",
                         _spread([r.p50_ms for r in figures.batch_latency], "{:.1f}") + " ms",
                         _spread([r.p50_ms for r in figures.single_latency], "{:.2f}") + " ms (one single verify)",
                         ratios, "≤ 10×", median(ratios) <= 10))
    errors = sum(r.non_2xx for group in (figures.raw, figures.verify, figures.ceiling, figures.batch_latency,
                                         figures.single_latency) for r in group)
    if errors:
        rows.append(f"| Non-2xx answers during the HTTP runs | {errors:,} | | | | check rate limits |")
    return rows


def _outbox_rows(f: BackofficeFigures) -> list[str]:
    rows = []
    runs = [(f"Outbox: {f.trickle_events:,} events arriving one at a time (a producer committing one per "
             "transaction, OUTBOX_BATCH=1), one worker", f.trickle_events, f.trickle_s, f.trickle_arq_s,
             "no-op arq jobs enqueued one at a time, same worker"),
            (f"Outbox: {f.outbox_events:,} events pre-filled (burst), one worker", f.outbox_events, f.outbox_s,
             f.arq_s, "no-op arq jobs, same worker")]
    for figure, n, outbox_s, arq_s, what in runs:
        if outbox_s and arq_s:
            ratios = [a / o for o, a in zip(outbox_s, arq_s, strict=True)]  # events/s ÷ jobs/s
            rows.append(_row(figure, _spread([n / s for s in outbox_s], "{:,.0f}") + " events/s",
                             _spread([n / s for s in arq_s], "{:,.0f}") + f" jobs/s ({what})",
                             ratios, "≥ 0.5", median(ratios) >= 0.5))
    if f.trickle_producer_s and f.trickle_arq_s:
        # The events cannot be done faster than the product writes them: this ratio bounds the first one.
        n = f.trickle_events
        rows.insert(1, _row(
            f"Outbox: the events' producer alone, {n:,} events written one at a time, no worker running (information: "
            "the one-at-a-time ratio cannot exceed this)",
            _spread([n / s for s in f.trickle_producer_s], "{:,.0f}") + " events/s",
            _spread([n / s for s in f.trickle_arq_s], "{:,.0f}") + " jobs/s (the no-op jobs one at a time, as above)",
            [a / p for p, a in zip(f.trickle_producer_s, f.trickle_arq_s, strict=True)], "", None))
    return rows


def _sweep_rows(f: BackofficeFigures) -> list[str]:
    rows = []
    sizes = sorted(f.sweep_due_s)
    for due in sizes:
        sweep, one = f.sweep_due_s[due], f.setbased_due_s[due]
        rows.append(_row(f"Deadline sweep, {due:,} due of {f.deadlines:,} open",
                         _spread([s * 1000 for s in sweep], "{:.1f}") + " ms",
                         _spread([s * 1000 for s in one], "{:.1f}") + " ms (one set-based SQL statement)",
                         [a / b for a, b in zip(sweep, one, strict=True)], "", None))
    if len(sizes) > 1:
        low, high = sizes[0], sizes[-1]

        def slope(times: dict[int, list[float]]) -> list[float]:
            return [(h - lo) / (high - low) for h, lo in zip(times[high], times[low], strict=True)]

        sweep, one = slope(f.sweep_due_s), slope(f.setbased_due_s)
        ratios = [a / b for a, b in zip(sweep, one, strict=True)]
        rows.append(_row(f"Deadline sweep, cost per due deadline ({low:,} to {high:,} due)",
                         _spread([s * 1e6 for s in sweep], "{:,.0f}") + " µs",
                         _spread([s * 1e6 for s in one], "{:,.0f}") + " µs (one set-based SQL statement)",
                         ratios, "≤ 3×", median(ratios) <= 3))
    return rows


def _backoffice_rows(f: BackofficeFigures) -> list[str]:
    rows = [*_outbox_rows(f), *_sweep_rows(f)]
    if f.case_list and f.case_ceiling:
        ratios = [c.p99_ms / r.p99_ms for c, r in zip(f.case_list, f.case_ceiling, strict=True)]
        rows.append(_row(f"Case list, my cases overdue first ({f.cases:,} cases, {f.mine:,} mine), 32 connections",
                         f"p99 {_spread([r.p99_ms for r in f.case_list], '{:.1f}')} ms, "
                         f"{_spread([r.requests_per_s for r in f.case_list], '{:,.0f}')} req/s",
                         f"p99 {_spread([r.p99_ms for r in f.case_ceiling], '{:.1f}')} ms, "
                         f"{_spread([r.requests_per_s for r in f.case_ceiling], '{:,.0f}')} req/s "
                         "(one plain SELECT)", ratios, "", None))
    return rows


def table(imports: ImportFigures | None, register: RegisterFigures | None, skipped: list[str],
          office: BackofficeFigures | None = None) -> list[str]:
    lines = ["| figure | measured | ceiling / baseline | ratio, median (min–max) | goal | |",
             "|---|---|---|---|---|---|"]
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
(or an embedded one), Redis, and two server processes; seeds once and reuses the seeded database
while migrations and seeder are unchanged. Every ratio divides by a baseline measured in the same run
(min, median and max over the runs).
Import: per run a fresh migrated database; `psql \\copy` of each CSV into a bare text table (no keys,
no indexes: information only), then `erkenning import` of the same file into the real tables
(recognitions also write their periods), then the same import again (nothing differs, nothing is
written). The rows the import wrote are copied out and copied back with `psql \\copy` into fresh
databases of the real schema, once with the first load's own drop-and-rebuild of indexes and
constraints in one transaction (the fair floor), once with every constraint in place. Whole commands
are timed, process start included; a ratio is the baseline's time ÷ the import's time. Where the
import's time goes is what `erkenning import` prints for each file: its phases (read, check, merge,
commit) and the merge's steps (the database's own checks, lookups, inserts with their foreign-key
checks, and rebuilding what a first load set aside).
HTTP: wrk (32 connections, one thread) with a Lua script that varies the company per request; back to
back in each run: a separate minimal Litestar + asyncpg app doing the primary-key SELECT (`bench.rawapp`,
one uvicorn process, the register's pool size, on the same database), the in-app ceiling (the same
SELECT through the product's app), and verify, anonymous as the public calls it. The product's
register rate limits are on (every request pays for them), set so high that one address never
reaches them. Batch latency against single-verify latency at one connection, both with the school
token the batch needs. Request logging is off (LOG_LEVEL=WARNING) so the figures measure the app, not
the log sink.
Back office (fresh databases from the migrated template): the outbox one at a time, the app's worker
running while a producer process writes one no-op event per transaction through the product's path
(OUTBOX_BATCH=1), against the same worker while a producer enqueues one no-op arq job at a time, each
from the first write to the last one done; the outbox burst, N events written before one burst worker
starts, against N no-op arq jobs. The deadline sweep timed in-process with 1, 100 and 10,000 due
(quick: 1, 100, 1,000) among 100,000 open deadlines (quick: 10,000), alternately with one set-based
SQL statement making the same marks and outbox rows; the sweep's time also includes putting its
events' triggers on the arq queue, the statement's puts none; the cost per due deadline is the slope
between the smallest and largest size. The case list (`?mine=true`) and its ceiling endpoint under wrk with
an adviser's token, back to back."""
