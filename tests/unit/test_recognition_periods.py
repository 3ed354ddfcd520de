"""Overlaying a decision's stretch on a recognition's dated periods (the pure part of periods)."""

from datetime import date
from uuid import uuid4

from erkenning.recognition.models import RecognitionStatus as R
from erkenning.recognition.periods import Segment, overlay

D1, D2, D3, D4 = date(2025, 1, 1), date(2025, 3, 1), date(2025, 6, 1), date(2025, 9, 1)
G, S = uuid4(), uuid4()


def layout(segments: list[Segment]) -> list[tuple]:
    return [(s.start, s.end, s.status) for s in segments]


def test_overlay_splits_a_stretch_out_of_an_open_period() -> None:
    active = [Segment(D1, None, R.ACTIVE, G)]
    after = overlay(active, D2, D3, R.SUSPENDED, S)
    assert layout(after) == [(D1, D2, R.ACTIVE), (D2, D3, R.SUSPENDED), (D3, None, R.ACTIVE)]
    # The return to active at D3 is this decision's doing; what came before keeps its own decision.
    assert [s.decision_id for s in after] == [G, S, S]


def test_overlay_joins_a_neighbour_of_the_same_status_and_keeps_its_start() -> None:
    split = [Segment(D1, D2, R.ACTIVE, G), Segment(D2, None, R.WITHDRAWN, S)]
    restored = overlay(split, D2, None, R.ACTIVE, uuid4())
    assert layout(restored) == [(D1, None, R.ACTIVE)]
    assert restored[0].decision_id == G


def test_overlay_of_an_open_stretch_replaces_everything_after_it() -> None:
    busy = [
        Segment(D1, D2, R.PENDING),
        Segment(D2, D3, R.ACTIVE, G),
        Segment(D3, D4, R.SUSPENDED, S),
        Segment(D4, None, R.ACTIVE, S),
    ]
    assert layout(overlay(busy, date(2025, 4, 1), None, R.WITHDRAWN, uuid4())) == [
        (D1, D2, R.PENDING),
        (D2, date(2025, 4, 1), R.ACTIVE),
        (date(2025, 4, 1), None, R.WITHDRAWN),
    ]
