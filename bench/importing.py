"""Import figure: `erkenning import` of the seeded data as CSV against `psql \\copy` of the same files.

Each run gets a fresh, migrated, empty database. In it, first the same CSV files are copied with
`psql \\copy` into bare tables (text columns, no keys, no indexes), then imported with the real
command into the real tables (qualifications, companies, recognitions with their periods), then
imported once more (nothing differs, so nothing is written). Both are timed as whole commands,
process start included, and compared in rows per second within the run.
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
from bench.env import ROOT, Environment, cli_env, say

IMPORT_TARGET = "erkenning_bench_import"
_PHASE = re.compile(r"(read|check|upsert|commit) ([\d.]+) s")


@dataclass
class KindFigures:
    rows: int
    copy_s: list[float] = field(default_factory=list)
    import_s: list[float] = field(default_factory=list)
    reimport_s: list[float] = field(default_factory=list)
    phases: list[dict[str, float]] = field(default_factory=list)  # the fresh import's own split, per run

    def ratios(self, attempt: list[float]) -> list[float]:
        """Per run: import rows/s ÷ COPY rows/s, which is COPY's time ÷ the import's time."""
        return [c / i for c, i in zip(self.copy_s, attempt, strict=True)]

    def rate(self, seconds: list[float]) -> float:
        return self.rows / statistics.median(seconds)


@dataclass
class ImportFigures:
    method: str
    kinds: dict[str, KindFigures]
    # Per run: rebuilding the periods' exclusion constraint alone over the imported rows, a part of the
    # recognitions import no faster import can avoid while the constraint exists (a floor under its time).
    constraint_s: list[float] = field(default_factory=list)

    def total(self) -> KindFigures:
        runs = len(next(iter(self.kinds.values())).copy_s)
        total = KindFigures(rows=sum(k.rows for k in self.kinds.values()))
        for i in range(runs):
            total.copy_s.append(sum(k.copy_s[i] for k in self.kinds.values()))
            total.import_s.append(sum(k.import_s[i] for k in self.kinds.values()))
            total.reimport_s.append(sum(k.reimport_s[i] for k in self.kinds.values()))
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


def _phases(output: str) -> dict[str, float]:
    """The phase timings `erkenning import` prints: "(12.3 s: read 1.1 s, check 0.8 s, upsert 4.0 s, commit 0.1 s)"."""
    return {name: float(seconds) for name, seconds in _PHASE.findall(output)}


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
    for run in range(1, runs + 1):
        await env.recreate(IMPORT_TARGET, template=template)
        for kind in KINDS:
            subprocess.run([psql, url, "-q", "-c", _bare_table(kind, files[kind])], check=True, capture_output=True)
            copy = f"\\copy bare_{kind} FROM '{files[kind]}' WITH (FORMAT csv, HEADER true)"
            figures[kind].copy_s.append(_timed([psql, url, "-q", "-c", copy], environ, f"psql \\copy {kind}")[0])
        for kind in KINDS:
            seconds, output = _timed([*importer, kind, str(files[kind])], environ, f"import {kind}")
            figures[kind].import_s.append(seconds)
            figures[kind].phases.append(_phases(output))
        for kind in KINDS:
            seconds = _timed([*importer, kind, str(files[kind])], environ, f"re-import {kind}")[0]
            figures[kind].reimport_s.append(seconds)
        constraint_s.append(_timed([psql, url, "-q", "-c", _REBUILD_EXCLUSION], environ, "exclusion constraint")[0])
        line = ", ".join(
            f"{kind} copy {f.copy_s[-1]:.1f} s / import {f.import_s[-1]:.1f} s / again {f.reimport_s[-1]:.1f} s"
            for kind, f in figures.items()
        )
        say(f"import run {run}/{runs}: {line}")
    await env.drop(IMPORT_TARGET)
    return ImportFigures(method="psql \\copy into bare text tables", kinds=figures, constraint_s=constraint_s)
