"""The public certificate check: anyone may ask whether a certificate code is real (no sign-in)."""

from __future__ import annotations

from litestar import Controller, get
from litestar.params import FromPath

from erkenning.core import context
from erkenning.http.dependencies import DbSession, RuntimeDep
from erkenning.training.schemas import (
    CertificateRead,
)
from erkenning.training.services import completions


class CertificateController(Controller):
    """Anyone may check a certificate code: course title, company name and date, nothing else."""

    path = "/certificates"
    tags = ["register"]

    @get("/{code:str}", summary="Check a course certificate")
    async def check(self, code: FromPath[str], session: DbSession, runtime: RuntimeDep) -> CertificateRead:
        await runtime.limiter.hit(
            "certificate-check",
            context.origin.get() or "unknown",
            limit=runtime.settings.certificate_check_per_minute,
            window_s=60,
        )
        return await completions.certificate(session, code)
