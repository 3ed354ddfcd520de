"""The learning platform posts e-learning completions here, signing each call instead of holding a token."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, post
from litestar.di import NamedDependency
from litestar.params import HeaderParameter, RawBody
from pydantic import ValidationError

from erkenning.core.caller import Caller
from erkenning.core.errors import ValidationFailed
from erkenning.http.dependencies import SettingsDep
from erkenning.training.controllers import PROVIDERS
from erkenning.training.schemas import (
    CompletionIn,
    CompletionResult,
)
from erkenning.training.services import completions
from erkenning.training.services.completions import CompletionRecorder

LEARNING_PLATFORM = Caller.system("learning-platform")


class LearningPlatformController(Controller):
    """Calls from the learning platform, signed with HMAC-SHA256 (see `training.services.completions`)."""

    path = "/learning-platform"
    tags = ["integrations"]
    dependencies = PROVIDERS

    @post(
        "/completions",
        status_code=200,
        summary="An e-learning was completed (idempotent per completion_id)",
        description=(
            "Body (JSON): `completion_id` (the platform's id), `course_code`, `company_sbb_id`, "
            "`completed_at` "
            "(YYYY-MM-DD or ISO 8601 with offset). Headers: `X-Signature-Timestamp` (Unix seconds) and "
            "`X-Signature: sha256=<hex HMAC-SHA256 of '<timestamp>.<raw body>' under the shared secret>`. "
            "A bad or missing signature, or a timestamp outside the tolerance, is 401 and stores nothing."
        ),
    )
    async def completion(
        self,
        body: RawBody,
        completion_recorder: NamedDependency[CompletionRecorder],
        settings: SettingsDep,
        signature: Annotated[str | None, HeaderParameter(name="X-Signature")] = None,
        timestamp: Annotated[str | None, HeaderParameter(name="X-Signature-Timestamp")] = None,
    ) -> CompletionResult:
        completions.verify_signature(
            settings.learning_platform_webhook_secret.get_secret_value(),
            timestamp,
            signature,
            body,
            tolerance_s=settings.learning_platform_webhook_tolerance_s,
        )
        try:
            data = CompletionIn.model_validate_json(body)
        except ValidationError as exc:
            raise ValidationFailed(completions.errors_of(exc)) from None
        outcome, participation = await completion_recorder.record(data, LEARNING_PLATFORM)
        return CompletionResult(result=outcome, participation_id=participation.id)
