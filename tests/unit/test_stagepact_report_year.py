"""The yearly report refuses a year outside the reporting range before it reads anything (it once raised a
NameError here instead of a 422)."""

from __future__ import annotations

from typing import Any, cast

import pytest

from erkenning.core.caller import Caller
from erkenning.core.errors import ValidationFailed
from erkenning.core.settings import Settings
from erkenning.stagepact.controllers import report_export
from erkenning.stagepact.period import FIRST_YEAR, LAST_YEAR


@pytest.mark.parametrize("year", [FIRST_YEAR - 1, LAST_YEAR + 1])
async def test_a_year_outside_the_range_is_refused_as_invalid_input(year: int) -> None:
    no_session = cast(Any, None)  # never reached: the year is checked first
    with pytest.raises(ValidationFailed) as refused:
        await report_export(no_session, Settings(_env_file=None), Caller.system("test"), year)  # type: ignore[call-arg]
    assert refused.value.status_code == 422
    assert refused.value.extra["errors"] == [{"field": "year", "message": f"a year from {FIRST_YEAR} to {LAST_YEAR}"}]
