"""What an outbox event may carry: ids, codes and dates, never free text or personal data."""

from uuid import UUID

import pytest

from erkenning.core import outbox


@pytest.mark.parametrize(
    "payload",
    [{"note": "Jan Jansen zei iets"}, {"email": "jan jansen@example.org"}, {"blob": {"nested": 1}}, {"x": 1.5}],
)
def test_payload_holds_ids_and_codes_only(payload: dict) -> None:
    with pytest.raises(ValueError):
        outbox.check_payload(payload)


def test_payload_accepts_ids_codes_dates() -> None:
    from datetime import date
    from uuid import uuid4

    ident = uuid4()
    assert outbox.check_payload({"id": ident, "kind": "token_issued", "on": date(2026, 1, 2), "n": 3}) == {
        "id": str(ident), "kind": "token_issued", "on": "2026-01-02", "n": 3,
    }
    assert UUID(outbox.check_payload({"ids": [ident]})["ids"][0]) == ident
