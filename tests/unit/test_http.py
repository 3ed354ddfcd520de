"""The HTTP plumbing, pure: what a service provider refuses to build (the requests themselves are in
tests/test_http.py)."""

import pytest

from erkenning.http.dependencies import provide


def test_a_provider_refuses_a_service_it_cannot_build_from_the_request() -> None:
    class NeedsAClock:
        def __init__(self, session: object, clock: object) -> None: ...

    class NoSession:
        def __init__(self, settings: object) -> None: ...

    for service in (NeedsAClock, NoSession):
        with pytest.raises(TypeError):
            provide(service)
