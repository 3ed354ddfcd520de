"""Every status the domain knows has a Dutch label (a new status must not break the pages)."""

from erkenning.recognition.models import RecognitionStatus
from erkenning.vocabulary import RECOGNITION_STATUSES


def test_every_recognition_status_has_a_label() -> None:
    assert set(RECOGNITION_STATUSES) == set(RecognitionStatus)
