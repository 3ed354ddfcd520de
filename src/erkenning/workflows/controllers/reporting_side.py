"""Routes of the reporting side of a report in an investigation (wederhoor): SBB's question about the
company's answer, and the side's reaction. A school's reporting point answers for the reports it passed
on (school token, its own reports only); the anonymous reporter answers by the receipt code (no token,
rate limited, no address kept, as the receipt's other routes)."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from erkenning.core.caller import Role
from erkenning.core.paging import Limit, Offset, Page
from erkenning.http.dependencies import CurrentCaller
from erkenning.http.guards import requires
from erkenning.reports.controllers import anonymous_limited
from erkenning.reports.schemas import ReceiptLookup
from erkenning.workflows.controllers import PROVIDERS
from erkenning.workflows.schemas import ReactionIn, ReceiptReactionIn, ReceiptReactions, SchoolReactionRead
from erkenning.workflows.services.reporter_reactions import ReporterReactionService

# The receipt code and a reaction of at most 2,000 characters, with room for escaping.
RECEIPT_REACTION_MAX_BODY_BYTES = 16_384
receipt_limited = anonymous_limited("report-receipt", "report_receipt_limit", "report_receipt_window_s")


class SchoolReactionController(Controller):
    """A school's reporting point: SBB's questions about the reports it passed on, and its reactions."""

    path = "/school"
    tags = ["reports"]
    guards = [requires(Role.SCHOOL)]
    dependencies = PROVIDERS

    @get("/reactions", summary="SBB's questions about reports this school passed on (open ones first)")
    async def list_(
        self, reporter_reactions: NamedDependency[ReporterReactionService], caller: CurrentCaller,
        limit: Limit = 50, offset: Offset = 0,
    ) -> Page[SchoolReactionRead]:
        items, total = await reporter_reactions.for_school(caller, limit=limit, offset=offset)
        return Page(items=items, total=total, limit=limit, offset=offset)

    @post("/reports/{report_id:uuid}/reaction", status_code=200,
          summary="React to SBB's question about a report this school passed on, within its term")
    async def react(
        self, report_id: FromPath[UUID], data: JSONBody[ReactionIn],
        reporter_reactions: NamedDependency[ReporterReactionService], caller: CurrentCaller,
    ) -> SchoolReactionRead:
        return await reporter_reactions.answer_as_school(report_id, caller, data.reaction)


class ReceiptReactionController(Controller):
    """The anonymous reporter: SBB's question about its report, and its reaction, by the receipt code."""

    path = "/reports/reaction"
    tags = ["reports"]
    dependencies = PROVIDERS

    # POST, not GET: the receipt code is a secret and must not travel in a URL.
    @post("/", status_code=200, request_max_body_size=1024, guards=[receipt_limited],
          summary="By the receipt code: what SBB asks you about the company's side, and your reactions")
    async def asked(
        self, data: JSONBody[ReceiptLookup], reporter_reactions: NamedDependency[ReporterReactionService]
    ) -> ReceiptReactions:
        return ReceiptReactions(reactions=await reporter_reactions.for_receipt(data.receipt))

    @post("/answer", status_code=200, request_max_body_size=RECEIPT_REACTION_MAX_BODY_BYTES,
          guards=[receipt_limited], summary="By the receipt code: react to SBB's question within its term")
    async def answer(
        self, data: JSONBody[ReceiptReactionIn], reporter_reactions: NamedDependency[ReporterReactionService]
    ) -> ReceiptReactions:
        return ReceiptReactions(reactions=await reporter_reactions.answer_by_receipt(data.receipt, data.reaction))
