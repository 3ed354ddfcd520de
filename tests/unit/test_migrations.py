"""The migrations as files: one line of history."""

from erkenning.core import migrate


def test_single_head() -> None:
    assert len(migrate.heads()) == 1
