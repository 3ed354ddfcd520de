"""The import's two ways of reading a file give one result: PostgreSQL's own CSV reader (COPY, for a file
whose every record is one line) and Python's csv module row by row (every other file)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from erkenning.bulk import importer
from erkenning.bulk.csvfile import plain_lines
from erkenning.bulk.importer import import_csv
from erkenning.core.runtime import Runtime
from tests.factories import COMPANY_HEADER, company_row

HEADER = ",".join(COMPANY_HEADER)


def _line(n: int, **overrides: str) -> str:
    return ",".join(company_row(n, **overrides))


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        (f"{HEADER}\n{_line(1)}\n{_line(2)}\n", 2),
        (f"{HEADER}\r\n{_line(1)}\r\n{_line(2)}", 2),  # CRLF, and no newline after the last line
        (f'{HEADER}\n{_line(1, name=chr(34) + "Smit, en ""Zn""" + chr(34))}\n', 1),  # wholly quoted fields
        (f"{HEADER}\n", 0),
        (f'{HEADER}\n{_line(1, name="Smit " + chr(34) + "Zn" + chr(34))}\n', None),  # a quote inside a field
        (f'{HEADER}\n{_line(1, name=chr(34) + "Smit" + chr(10) + "Zn" + chr(34))}\n', None),  # a record on two lines
        (f"{HEADER}\n{_line(1)}\n\\.\n{_line(2)}\n", None),  # COPY's end-of-data mark
        (f"{HEADER}\n{_line(1, name='Smit' + chr(13) + 'Zn')}\n", None),  # a CR that ends no line
    ],
)
def test_plain_lines_admits_only_files_copy_reads_as_python_does(tmp_path: Path, text: str, lines: int | None) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(text.encode())
    assert plain_lines(path, ",") == lines


ODD_FILES = {
    "plain": f"{HEADER}\n{_line(1)}\n{_line(2)}\n{_line(3)}\n",
    "quoted": f'{HEADER}\r\n{_line(1, name=chr(34) + "Smit, en ""Zn""" + chr(34))}\r\n{_line(2)}',
    "quote inside a field": f'{HEADER}\n{_line(1)}\n{_line(2, name="Smit " + chr(34) + "Zn" + chr(34))}\n{_line(3)}\n',
    "a record on two lines": f'{HEADER}\n{_line(1, name=chr(34) + "Smit" + chr(10) + "Zn" + chr(34))}\n{_line(2)}\n',
    "blank lines": f"{HEADER}\n{_line(1)}\n\n{_line(2)}\n   \n{_line(3, postcode='0123 AB')}\n",
    "ragged": f"{HEADER}\n{_line(1)}\n{','.join(company_row(2)[:5])}\n{_line(3)}\n",
    "empty cells": f"{HEADER}\n{_line(1, street='', email='')}\n{_line(2, street=chr(34) * 2, email=chr(34) * 2)}\n",
}


async def _import(runtime: Runtime, path: Path) -> tuple[Any, ...]:
    report = await import_csv(runtime.engine, "companies", path)
    async with runtime.engine.begin() as conn:
        rows = (await conn.execute(sa.text(
            "SELECT kvk_number, establishment_number, name, street, house_number, postcode, city, sector, email"
            " FROM company ORDER BY establishment_number"))).all()
        await conn.execute(sa.text("DELETE FROM company"))
    return report.rows, report.inserted, report.problems, [tuple(r) for r in rows]


@pytest.mark.parametrize("name", list(ODD_FILES))
async def test_copy_and_row_by_row_reading_load_the_same(
    runtime: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(ODD_FILES[name].encode())
    copied: list[bool] = []
    fast = importer._copy_file

    async def spy(*args: Any) -> bool:
        copied.append(await fast(*args))
        return copied[-1]

    monkeypatch.setattr(importer, "_copy_file", spy)
    either = await _import(runtime, path)
    monkeypatch.setattr(importer, "_copy_file", lambda *args: _false())
    row_by_row = await _import(runtime, path)

    assert either == row_by_row
    assert either[1] > 0  # something was loaded either way
    # Files COPY reads as Python does go through COPY; the others fall back to reading row by row.
    assert copied == [name in ("plain", "quoted", "empty cells")]


async def _false() -> bool:
    return False
