"""The report's tables: what their text representation may show."""

from erkenning.reports.models import ReportConfidential


async def test_repr_of_the_confidential_row_shows_no_content() -> None:
    row = ReportConfidential(report_id="00000000-0000-0000-0000-000000000001", narrative="GEHEIM", reporter_name="N")
    assert "GEHEIM" not in repr(row) and "GEHEIM" not in str(row)
