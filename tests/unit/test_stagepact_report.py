"""The yearly report's layout: every indicator of the catalogue has its row."""

from erkenning.stagepact import report
from erkenning.stagepact.catalogue import SPECS
from erkenning.stagepact.indicators import Cell, Row


async def test_every_indicator_is_on_the_page() -> None:
    rows = {s.key: Row(s, Cell(1, "1"), Cell(1, "1"), Cell(0, "0")) for s in SPECS}
    shown = {row.key for section in report.sections("2025", rows) for block in section.blocks for row in block.rows}
    assert shown == set(rows)
