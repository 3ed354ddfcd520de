"""The attachments of an objection in the back office: a page that lists them and the downloads.

Staff (every staff role) read every objection's files; what a company added is shown as it was added,
under its cleaned name, and downloaded with the type judged from its content.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Response, Template

from erkenning.core.caller import STAFF_ROLES
from erkenning.http.dependencies import CurrentCaller
from erkenning.http.guards import requires
from erkenning.recognition.controllers.attachments import download
from erkenning.recognition.services.objection_attachments import ObjectionAttachmentService
from erkenning.recognition.services.objections import ObjectionService
from erkenning.web import wording
from erkenning.web.rendering import page


class ObjectionFilePages(Controller):
    """Bijlagen bij een bezwaar, voor SBB."""

    path = "/bezwaren/{objection_id:uuid}/bijlagen"
    guards = [requires(*STAFF_ROLES)]

    @get("/", name="objection_files")
    async def files(
        self, request: Request[Any, Any, Any], objection_id: FromPath[UUID],
        objections: NamedDependency[ObjectionService],
        objection_attachments: NamedDependency[ObjectionAttachmentService], caller: CurrentCaller,
    ) -> Template:
        objection = await objections.get(objection_id, caller)
        return page(request, "objections/files.html", title="Bijlagen bij het bezwaar", objection=objection,
                    files=await objection_attachments.list(objection_id, caller), words=wording)

    @get("/{attachment_id:uuid}", name="objection_file")
    async def file(
        self, objection_id: FromPath[UUID], attachment_id: FromPath[UUID],
        objection_attachments: NamedDependency[ObjectionAttachmentService], caller: CurrentCaller,
    ) -> Response[bytes]:
        return download(await objection_attachments.get(objection_id, attachment_id, caller))
