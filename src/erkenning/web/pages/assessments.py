"""Beoordeling van de erkenningsvoorwaarden: one recognition's assessments, and a form to record a new one.

Per criterion of the list in force: met, not met or not assessed, with a note and the date it was judged
(`AssessmentService.record`, as the JSON API). A grant waits until every criterion is met in the latest
assessment (art. 7.2.10 WEB); a reassessment with every criterion met sets the next one.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template
from pydantic import ValidationError

from erkenning import vocabulary
from erkenning.core.caller import ADVISER_ROLES, STAFF_ROLES, Caller
from erkenning.core.errors import Conflict, ValidationFailed
from erkenning.http.dependencies import CurrentCaller, DbSession
from erkenning.http.guards import requires
from erkenning.recognition.criteria import CriterionResult
from erkenning.recognition.criteria_schemas import AssessmentCreate, CriteriaListRead
from erkenning.recognition.services.criteria import AssessmentService, CriteriaService
from erkenning.recognition.services.recognitions import RecognitionService
from erkenning.web.actions import service_call
from erkenning.web.forms import Field, Form
from erkenning.web.rendering import flash_message, page, redirect

RECORDED = flash_message("assessment-recorded", "De beoordeling is vastgelegd.")
RESULT_OPTIONS = vocabulary.options(CriterionResult)


def _fields(current: CriteriaListRead) -> tuple[Field, ...]:
    """The form of an assessment: its date and note, and per criterion its result, note and date."""
    fields = [
        Field("assessed_on", "Datum van de beoordeling", kind="date", required=False, width="s",
              hint="Leeg laten: vandaag.", invalid="Vul een datum in die niet in de toekomst ligt."),
        Field("note", "Toelichting", kind="textarea", required=False),
    ]
    for c in current.criteria:
        fields += [
            Field(f"result__{c.code}", c.title, kind="select", options=RESULT_OPTIONS, hint=c.description,
                  missing=f"Kies of aan ‘{c.title}’ is voldaan."),
            Field(f"note__{c.code}", f"Notitie bij ‘{c.title}’", kind="textarea", required=False),
            Field(f"date__{c.code}", f"Beoordeeld op (‘{c.title}’)", kind="date", required=False, width="s",
                  hint="Leeg laten: de datum van de beoordeling.",
                  invalid="Vul een datum in die niet in de toekomst ligt."),
        ]
    return tuple(fields)


def _payload(form: Form, current: CriteriaListRead) -> dict[str, Any]:
    """The form's values in the shape of `AssessmentCreate` (empty strings are not given)."""
    v = form.values
    items = [
        {"code": c.code, "result": v.get(f"result__{c.code}") or None, "note": v.get(f"note__{c.code}") or None,
         "assessed_on": v.get(f"date__{c.code}") or None}
        for c in current.criteria
    ]
    return {"assessed_on": v.get("assessed_on") or None, "note": v.get("note") or None, "items": items}


def _errors(form: Form, exc: ValidationError, current: CriteriaListRead) -> None:
    """Pydantic's errors on the form's own field names (items.N.field -> field__code)."""
    for error in exc.errors():
        loc = list(error["loc"])
        if loc[:1] == ["items"] and len(loc) >= 3 and isinstance(loc[1], int):
            name = {"result": "result", "note": "note", "assessed_on": "date"}.get(str(loc[2]), "result")
            loc = [f"{name}__{current.criteria[loc[1]].code}"]
        form.add_errors([{**error, "loc": tuple(loc)}])


class AssessmentPages(Controller):
    path = "/erkenningen/{recognition_id:uuid}/beoordeling"
    guards = [requires(*STAFF_ROLES)]

    @get("/", name="assessments")
    async def show(
        self, request: Request[Any, Any, Any], recognition_id: FromPath[UUID],
        recognitions: NamedDependency[RecognitionService], assessments: NamedDependency[AssessmentService],
        criteria: NamedDependency[CriteriaService], caller: CurrentCaller,
    ) -> Template:
        current = await criteria.current()
        return await _page(request, recognitions, assessments, caller, recognition_id, current,
                           Form(_fields(current)))

    @post("/", guards=[requires(*ADVISER_ROLES)])
    async def record(
        self, request: Request[Any, Any, Any], recognition_id: FromPath[UUID],
        data: URLEncodedBody[dict[str, str]], session: DbSession, recognitions: NamedDependency[RecognitionService],
        assessments: NamedDependency[AssessmentService], criteria: NamedDependency[CriteriaService],
        caller: CurrentCaller,
    ) -> Template | Redirect:
        current = await criteria.current()
        form = Form(_fields(current), data)
        for spec in form.fields:
            if spec.required and not form.values.get(spec.name):
                form.error(spec.name, spec.missing_message())
        payload = None
        if not form.has_errors:
            try:
                payload = AssessmentCreate.model_validate(_payload(form, current))
            except ValidationError as exc:
                _errors(form, exc, current)
        if payload is not None:
            async with service_call(session, ValidationFailed, Conflict) as outcome:
                await assessments.record(recognition_id, payload, caller)
            if outcome.refusal is None:
                return redirect(request, f"/erkenningen/{recognition_id}/beoordeling", flash=RECORDED)
            if isinstance(outcome.refusal, ValidationFailed):
                form.add_validation_failed(outcome.refusal)
            else:
                form.message = outcome.refusal.detail
        return await _page(request, recognitions, assessments, caller, recognition_id, current, form,
                           status_code=422)


async def _page(
    request: Request[Any, Any, Any], recognitions: RecognitionService, assessments: AssessmentService,
    caller: Caller, recognition_id: UUID, current: CriteriaListRead, form: Form, *, status_code: int = 200,
) -> Template:
    recognition = await recognitions.detail(recognition_id, caller)
    return page(
        request, "recognition/assessments.html", title="Beoordeling erkenningsvoorwaarden", status_code=status_code,
        recognition=recognition, current=current, history=await assessments.for_recognition(recognition_id, caller),
        form=form if caller.role in ADVISER_ROLES else None,
    )
