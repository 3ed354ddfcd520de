"""Back-office routes of the recognition criteria (versioned lists) and the assessments of recognitions."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, PathParameter

from erkenning.core.caller import Role
from erkenning.http.dependencies import CurrentCaller
from erkenning.http.guards import requires
from erkenning.recognition.controllers import PROVIDERS
from erkenning.recognition.criteria_schemas import (
    AssessmentCreate,
    AssessmentRead,
    CriteriaListCreate,
    CriteriaListRead,
)
from erkenning.recognition.services.criteria import AssessmentService, CriteriaService

ADVISERS = requires(Role.ADVISER, Role.SENIOR_ADVISER)


class CriteriaController(Controller):
    path = "/criteria"
    tags = ["recognitions", "criteria"]
    dependencies = PROVIDERS

    @get(
        "/",
        summary="Every version of the recognition criteria, the newest first",
        description="SBB's conditions for a learning company (art. 7.2.10/7.2.11 WEB), each version with its "
        "validity [valid_from, valid_until).",
    )
    async def list_(self, criteria: NamedDependency[CriteriaService]) -> list[CriteriaListRead]:
        return await criteria.versions()

    @get("/current", summary="The recognition criteria in force today")
    async def current(self, criteria: NamedDependency[CriteriaService]) -> CriteriaListRead:
        return await criteria.current()

    @get("/{version:int}", summary="One version of the recognition criteria")
    async def one(
        self, version: Annotated[int, PathParameter(ge=1, le=100_000)], criteria: NamedDependency[CriteriaService]
    ) -> CriteriaListRead:
        return await criteria.version(version)

    @post(
        "/",
        guards=[requires(Role.ADMIN)],
        summary="Publish a new version of the recognition criteria (admin)",
        description="In force from `valid_from`; the version before it ends that day. Assessments already "
        "recorded keep the version they were made on; a grant needs an assessment on the version in force. "
        "Beyond the schema (422 naming the rule): `valid_from` is today or later and after the current version's "
        "start; each criterion `code` occurs once; the list keeps the explicit criterion `non_discrimination` "
        "(Stagepact mbo, motie-Van Baarle).",
    )
    async def publish(
        self, data: JSONBody[CriteriaListCreate], criteria: NamedDependency[CriteriaService], caller: CurrentCaller
    ) -> CriteriaListRead:
        return await criteria.publish(data, caller)


class AssessmentController(Controller):
    path = "/recognitions/{recognition_id:uuid}/assessments"
    tags = ["recognitions", "criteria"]
    dependencies = PROVIDERS

    @get("/", summary="The assessments of a recognition against the criteria, the latest first")
    async def list_(
        self, recognition_id: FromPath[UUID], assessments: NamedDependency[AssessmentService], caller: CurrentCaller
    ) -> list[AssessmentRead]:
        return await assessments.for_recognition(recognition_id, caller)

    @post(
        "/",
        guards=[ADVISERS],
        summary="Record an assessment: per criterion met, not met or not assessed, with a note and the date",
        description="On the criteria list in force on `assessed_on`. For an application (a pending recognition) "
        "or a reassessment (an active or suspended one); a reassessment that finds every criterion met sets the "
        "next one four years later. A grant needs every criterion met in the latest assessment (409 otherwise). "
        "Beyond the schema (422 naming the rule): `assessed_on` is not in the future (for a reassessment: after "
        "the grant); each criterion once, each of the list in force on `assessed_on`, none judged in the future.",
    )
    async def record(
        self,
        recognition_id: FromPath[UUID],
        data: JSONBody[AssessmentCreate],
        assessments: NamedDependency[AssessmentService],
        caller: CurrentCaller,
    ) -> AssessmentRead:
        return await assessments.record(recognition_id, data, caller)


class AssessmentReadController(Controller):
    path = "/assessments"
    tags = ["recognitions", "criteria"]
    dependencies = PROVIDERS

    @get("/{assessment_id:uuid}", summary="One assessment, with the criteria version it was made on")
    async def one(
        self, assessment_id: FromPath[UUID], assessments: NamedDependency[AssessmentService], caller: CurrentCaller
    ) -> AssessmentRead:
        return await assessments.get(assessment_id, caller)
