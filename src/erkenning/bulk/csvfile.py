"""Reading a CSV file as a stream: header checked up front, rows in batches with their line numbers."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from erkenning.bulk.rows import Kind

Batch = list[tuple[int, list[str]]]


class HeaderError(ValueError):
    """The first line does not name the columns this kind needs; nothing is loaded."""


def sniff_delimiter(header_line: str) -> str:
    """`;` when the header uses it (spreadsheets in a Dutch locale write that), else `,`."""
    return ";" if header_line.count(";") > header_line.count(",") else ","


def kind_of(path: Path, kinds: Iterable[Kind], delimiter: str | None = None) -> Kind | None:
    """The one kind whose columns the file's header names (every column its own, the required ones
    there); None when no kind or more than one fits."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        header_line = f.readline()
    names = {name.strip().lower() for name in next(csv.reader([header_line], delimiter=delimiter
                                                              or sniff_delimiter(header_line)), [])}
    fits = [kind for kind in kinds if names <= set(kind.columns) and kind.required <= names
            and (not kind.one_of or kind.one_of & names)]
    return fits[0] if len(fits) == 1 else None


@dataclass
class CsvSource:
    """An open CSV file of one kind. Iterate `batches()`; `position` is how far the file has been read."""

    path: Path
    kind: Kind
    delimiter: str | None = None
    columns: list[str] = field(default_factory=list)
    size: int = 0
    _raw: BinaryIO | None = None
    _text: io.TextIOWrapper | None = None

    def __enter__(self) -> CsvSource:
        self._raw = open(self.path, "rb")
        self.size = self.path.stat().st_size
        # utf-8-sig: a byte-order mark (as spreadsheet programs write) is not part of the first column's name.
        self._text = io.TextIOWrapper(self._raw, encoding="utf-8-sig", newline="")
        header_line = self._text.readline()
        if not header_line.strip():
            raise HeaderError("the file is empty; the first line must name the columns")
        self.delimiter = self.delimiter or sniff_delimiter(header_line)
        header = next(csv.reader([header_line], delimiter=self.delimiter))
        self.columns = [name.strip().lower() for name in header]
        self._check_header()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._text is not None:
            self._text.close()

    @property
    def position(self) -> int:
        return self._raw.tell() if self._raw is not None and not self._raw.closed else self.size

    def _check_header(self) -> None:
        kind = self.kind
        unknown = [c for c in self.columns if c not in kind.columns]
        if unknown:
            raise HeaderError(
                f"unknown column(s) {', '.join(unknown)}; {kind.name} files have: {', '.join(kind.columns)}"
            )
        doubled = sorted({c for c in self.columns if self.columns.count(c) > 1})
        if doubled:
            raise HeaderError(f"column(s) named twice: {', '.join(doubled)}")
        missing = sorted(kind.required - set(self.columns))
        if missing:
            raise HeaderError(f"missing column(s) {', '.join(missing)}")
        if kind.one_of and not kind.one_of & set(self.columns):
            raise HeaderError(f"name the company by one of the columns {' or '.join(sorted(kind.one_of))}")

    def batches(self, size: int) -> Iterator[Batch]:
        """Lists of (line number where the record starts, its cells); blank lines are skipped."""
        assert self._text is not None, "use CsvSource as a context manager"
        reader = csv.reader(self._text, delimiter=self.delimiter or ",", strict=True)
        batch: Batch = []
        last_line = 1  # the header
        for cells in reader:
            line, last_line = last_line + 1, reader.line_num + 1
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                continue
            batch.append((line, cells))
            if len(batch) >= size:
                yield batch
                batch = []
        if batch:
            yield batch


# ------------------------------------------------------------------ files PostgreSQL may parse itself

SCAN_CHUNK = 1 << 20  # bytes read at a time


def _quoted_line(delimiter: bytes) -> re.Pattern[bytes]:
    """A whole line of fields, each either without quotes or wholly quoted (quotes inside doubled),
    optionally ending in CR: the only lines with a quote on which PostgreSQL's CSV reader (which opens
    a quoted stretch at any quote, even inside a field) and Python's csv module agree."""
    d = re.escape(delimiter)
    field = rb'(?:[^"\r\n' + d + rb']*|"(?:[^"\r\n]|"")*")'
    return re.compile(field + rb"(?:" + d + field + rb")*\r?")


def plain_lines(path: Path, delimiter: str) -> int | None:
    """The number of data lines when PostgreSQL's `COPY … (FORMAT csv, HEADER)` reads the file exactly
    as `CsvSource` does, one record per line (so a row's line number is its place + 1); else None.

    That holds when no record spans lines (a quote appears only in wholly quoted fields within one
    line), a CR appears only before LF, and no line is `\\.` (COPY's end-of-data mark). Blank and ragged
    lines, bytes that are not UTF-8 and NUL bytes are not looked for here: COPY refuses the file for
    them, and the importer then reads it with `CsvSource`, which skips, refuses or reports them.
    One pass over the bytes in chunks; only the few lines holding a quote are matched by a pattern.
    """
    if len(delimiter) != 1 or delimiter in '"\r\n\\':
        return None
    quoted = _quoted_line(delimiter.encode())
    lines, carry = 0, b""
    with open(path, "rb") as f:
        while True:
            chunk = f.read(SCAN_CHUNK)
            data = carry + chunk
            cut = len(data) if not chunk else data.rfind(b"\n") + 1
            whole, carry = data[:cut], data[cut:]
            if not _plain(whole, quoted):
                return None
            lines += whole.count(b"\n") + (1 if not chunk and whole and not whole.endswith(b"\n") else 0)
            if not chunk:
                return max(lines - 1, 0)  # the header is not data


def _plain(whole: bytes, quoted: re.Pattern[bytes]) -> bool:
    if b"\r" in whole and whole.count(b"\r") != whole.count(b"\r\n"):
        return False
    if b"\\." in whole and re.search(rb"(?m)^\\\.\r?$", whole):
        return False
    at = whole.find(b'"')
    while at != -1:
        start = whole.rfind(b"\n", 0, at) + 1
        end = whole.find(b"\n", at)
        end = len(whole) if end == -1 else end
        if not quoted.fullmatch(whole, start, end):
            return False
        at = whole.find(b'"', end)
    return True
