"""Import figure: `erkenning import` of the seeded data as CSV against `psql \\copy` of the same rows.

Each run gets a fresh, migrated, empty database. In it, first the same CSV files are copied with
`psql \\copy` into bare tables (text columns, no keys, no indexes: information only), then imported
with the real command into the real tables (qualifications, companies, recognitions with their
periods), then imported once more (nothing differs, so nothing is written), each time by one `erkenning import` of
the three files (one process, dependency order). The rows the import
wrote (its final rows: qualification, company, recognition, recognition_period) are then copied out,
and copied with `psql \\copy` into two more fresh databases of the real schema:

- the fair floor: with the same drop-and-rebuild as the import's first load (the same secondary
  indexes, unique and exclusion constraints and foreign keys among the loaded tables dropped, then
  added back over all rows, in one transaction, maintenance_work_mem as the import sets it);
- every constraint in place: the rows copied into the schema as migrated.

All are timed as whole commands, process start included, and compared within the run.
"""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.dataset import KINDS, count_rows
from bench.env import OUT, ROOT, SCRATCH_SUFFIX, Environment, cli_env, say

IMPORT_TARGET = "erkenning_bench_import" + SCRATCH_SUFFIX
_PHASE = re.compile(r"(read|check|upsert|commit) ([\d.]+) s")
_KIND_LINE = re.compile(r"^(\w+): .*\(([\d.]+) s: (.*)\)$", re.MULTILINE)
_STEP = re.compile(r"([a-z][a-z ]*) ([\d.]+) s")


@dataclass
class KindFigures:
    rows: int
    copy_s: list[float] = field(default_factory=list)
    import_s: list[float] = field(default_factory=list)
    reimport_s: list[float] = field(default_factory=list)
    phases: list[dict[str, float]] = field(default_factory=list)  # the fresh import's own split, per run
    steps: list[dict[str, float]] = field(default_factory=list)  # the fresh upsert's own steps, per run
    floor_s: list[float] = field(default_factory=list)  # final rows, \copy, the first load's drop-and-rebuild
    in_place_s: list[float] = field(default_factory=list)  # final rows, \copy, every constraint in place

    def ratios(self, attempt: list[float], baseline: list[float] | None = None) -> list[float]:
        """Per run: import rows/s ÷ baseline rows/s (by default the bare-table COPY), which is the
        baseline's time ÷ the import's time."""
        return [c / max(i, 0.005) for c, i in zip(self.copy_s if baseline is None else baseline, attempt, strict=True)]

    def rate(self, seconds: list[float]) -> float:
        return self.rows / statistics.median(seconds)


@dataclass
class ImportFigures:
    method: str
    kinds: dict[str, KindFigures]
    # Per run: rebuilding the periods' exclusion constraint alone over the imported rows, a part of the
    # recognitions import no faster import can avoid while the constraint exists (a floor under its time).
    constraint_s: list[float] = field(default_factory=list)
    # Per run: the one `erkenning import` command of all three files, process start included.
    command_s: list[float] = field(default_factory=list)
    recommand_s: list[float] = field(default_factory=list)

    def total(self) -> KindFigures:
        runs = len(next(iter(self.kinds.values())).copy_s)
        total = KindFigures(rows=sum(k.rows for k in self.kinds.values()))
        total.import_s, total.reimport_s = list(self.command_s), list(self.recommand_s)
        for i in range(runs):
            total.copy_s.append(sum(k.copy_s[i] for k in self.kinds.values()))
            total.floor_s.append(sum(k.floor_s[i] for k in self.kinds.values()))
            total.in_place_s.append(sum(k.in_place_s[i] for k in self.kinds.values()))
        return total


def _psql() -> str | None:
    found = shutil.which("psql")
    if found:
        return found
    from erkenning.devtools.embedded import _pg_bindir

    bindir = _pg_bindir()
    return str(bindir / "psql") if bindir and (bindir / "psql").exists() else None


def _timed(cmd: list[str], env: dict[str, str], what: str) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed ({done.returncode}):\n{(done.stdout + done.stderr)[-2000:]}")
    return elapsed, done.stdout


def _per_kind(output: str) -> dict[str, tuple[float, dict[str, float], dict[str, float]]]:
    """Each file's time, phases and the upsert's steps as `erkenning import` prints them:
    "companies: … (12.3 s: read 1.1 s, check 0.8 s, upsert 4.0 s, commit 0.1 s; upsert: refuse 0.2 s, …)"."""
    found = {}
    for kind, seconds, text in _KIND_LINE.findall(output):
        phases, _, steps = text.partition("; upsert: ")
        found[kind] = (float(seconds), {name: float(s) for name, s in _PHASE.findall(phases)},
                       {name: float(s) for name, s in _STEP.findall(steps)})
    return found


# The periods' exclusion constraint, dropped and added again from its own definition in the schema, as
# the import's first load rebuilds it (erkenning.bulk.loaders.first_load), in one transaction.
_REBUILD_EXCLUSION = """
    BEGIN;
    SET LOCAL maintenance_work_mem = '256MB';
    DO $$
    DECLARE x record;
    BEGIN
        SELECT conname, pg_get_constraintdef(oid) AS def INTO STRICT x
        FROM pg_constraint WHERE conrelid = 'recognition_period'::regclass AND contype = 'x';
        EXECUTE format('ALTER TABLE recognition_period DROP CONSTRAINT %I', x.conname);
        EXECUTE format('ALTER TABLE recognition_period ADD CONSTRAINT %I %s', x.conname, x.def);
    END $$;
    COMMIT;
"""


# The tables each kind's import writes, in the order it writes them, and those its first load drops and
# rebuilds the deferrable indexes and constraints of (erkenning.bulk.loaders.first_load).
FINAL_TABLES = {
    "qualifications": (("qualification",), ()),
    "companies": (("company",), ("company",)),
    # The read model's rows come from the periods' trigger, in the import and in both floors alike.
    "recognitions": (("recognition", "recognition_period"), ("recognition", "recognition_period", "register_answer")),
}
FLOOR_TARGET = "erkenning_bench_import_floor" + SCRATCH_SUFFIX


async def _deferrable_ddl(env: Environment, database: str, tables: tuple[str, ...]) -> list[tuple[str, str]]:
    """What `first_load` drops and adds back for `tables`, read from the schema by its own queries."""
    import asyncpg

    from erkenning.bulk import loaders

    if not tables:
        return []
    conn = await asyncpg.connect(env.libpq_url(database))
    try:
        return await loaders.deferrable_ddl(conn, *tables)
    finally:
        await conn.close()


def _copy_script(kind: str, folder: Path, ddl: list[tuple[str, str]]) -> str:
    """One transaction: drop (foreign keys first), \\copy the final rows, add back; as the import does."""
    lines = ["BEGIN;", *[drop + ";" for drop, _ in reversed(ddl)]]
    lines += [f"\\copy {table} FROM '{folder / table}.csv' WITH (FORMAT csv, HEADER true)"
              for table in FINAL_TABLES[kind][0]]
    if ddl:
        lines.append("SET LOCAL maintenance_work_mem = '256MB';")
    lines += [create + ";" for _, create in ddl]
    return "\n".join([*lines, "COMMIT;", ""])


async def _final_rows(psql: str, url: str, folder: Path, environ: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for tables, _ in FINAL_TABLES.values():
        for table in tables:
            copy = f"\\copy {table} TO '{folder / table}.csv' WITH (FORMAT csv, HEADER true)"
            _timed([psql, url, "-q", "-c", copy], environ, f"copy out {table}")


async def _floors(env: Environment, psql: str, template: str, folder: Path, environ: dict[str, str],
                  figures: dict[str, KindFigures]) -> None:
    """The final rows by `psql \\copy`: with the first load's drop-and-rebuild, then with every constraint."""
    url = env.libpq_url(FLOOR_TARGET)
    for rebuild in (True, False):
        await env.recreate(FLOOR_TARGET, template=template)
        for kind in KINDS:
            ddl = await _deferrable_ddl(env, FLOOR_TARGET, FINAL_TABLES[kind][1]) if rebuild else []
            script = folder / f"{kind}-{'floor' if rebuild else 'in-place'}.sql"
            script.write_text(_copy_script(kind, folder, ddl))
            seconds = _timed([psql, url, "-q", "-v", "ON_ERROR_STOP=1", "-f", str(script)], environ,
                             f"psql \\copy {kind} ({'floor' if rebuild else 'constraints in place'})")[0]
            (figures[kind].floor_s if rebuild else figures[kind].in_place_s).append(seconds)
    await env.drop(FLOOR_TARGET)


def _bare_table(kind: str, path: Path) -> str:
    with open(path, encoding="utf-8") as f:
        columns = f.readline().strip().split(",")
    return f"CREATE TABLE bare_{kind} ({', '.join(f'{c} text' for c in columns)})"


async def measure_import(env: Environment, files: dict[str, Path], template: str, runs: int) -> ImportFigures:
    psql = _psql()
    if psql is None:
        raise RuntimeError("psql is needed for the COPY baseline (Debian package postgresql-client)")
    figures = {kind: KindFigures(rows=count_rows(path)) for kind, path in files.items()}
    url = env.libpq_url(IMPORT_TARGET)
    environ = cli_env(env, IMPORT_TARGET, LOG_LEVEL="WARNING")
    importer = [sys.executable, "-m", "erkenning.cli", "import"]
    constraint_s: list[float] = []
    command_s: list[float] = []
    recommand_s: list[float] = []
    for run in range(1, runs + 1):
        await env.recreate(IMPORT_TARGET, template=template)
        for kind in KINDS:
            subprocess.run([psql, url, "-q", "-c", _bare_table(kind, files[kind])], check=True, capture_output=True)
            copy = f"\\copy bare_{kind} FROM '{files[kind]}' WITH (FORMAT csv, HEADER true)"
            figures[kind].copy_s.append(_timed([psql, url, "-q", "-c", copy], environ, f"psql \\copy {kind}")[0])
        # One command for the three files (in one process, in dependency order), fresh and again.
        all_files = [str(files[kind]) for kind in KINDS]
        seconds, output = _timed([*importer, *all_files], environ, "import")
        command_s.append(seconds)
        for kind, (own, phases, steps) in _per_kind(output).items():
            figures[kind].import_s.append(own)
            figures[kind].phases.append(phases)
            figures[kind].steps.append(steps)
        seconds, output = _timed([*importer, *all_files], environ, "re-import")
        recommand_s.append(seconds)
        for kind, (own, _, _) in _per_kind(output).items():
            figures[kind].reimport_s.append(own)
        constraint_s.append(_timed([psql, url, "-q", "-c", _REBUILD_EXCLUSION], environ, "exclusion constraint")[0])
        folder = OUT / "final-rows"
        await _final_rows(psql, url, folder, environ)
        await _floors(env, psql, template, folder, environ, figures)
        line = ", ".join(
            f"{kind} copy {f.copy_s[-1]:.1f} s / floor {f.floor_s[-1]:.1f} s / in place {f.in_place_s[-1]:.1f} s"
            f" / import {f.import_s[-1]:.1f} s / again {f.reimport_s[-1]:.1f} s"
            for kind, f in figures.items()
        )
        say(f"import run {run}/{runs}: one command {command_s[-1]:.1f} s, again {recommand_s[-1]:.1f} s; {line}")
    await env.drop(IMPORT_TARGET)
    return ImportFigures(method="psql \\copy into bare text tables", kinds=figures, constraint_s=constraint_s,
                         command_s=command_s, recommand_s=recommand_s)
