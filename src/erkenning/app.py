"""create_app(): the Litestar application with its three API routers, docs, health and metrics."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Request, Response, Router
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import RedocRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.types import ASGIApp

from erkenning import letters, models
from erkenning.admin.audit import AuditController
from erkenning.admin.calendar import CalendarController
from erkenning.admin.contacts import AdminContactController, CompanyContactController, SchoolContactController
from erkenning.admin.operations import HealthController, OutboxController, metrics_endpoint
from erkenning.admin.tokens import AccountController, PrincipalController, TokenController
from erkenning.companies.controllers import CompanyController
from erkenning.core import calendar_days
from erkenning.core.caller import STAFF_ROLES, Role
from erkenning.core.logging import configure_logging
from erkenning.core.runtime import Runtime, freeze_startup_heap
from erkenning.core.settings import Settings, get_settings
from erkenning.http.auth import TokenAuthMiddleware
from erkenning.http.dependencies import DEPENDENCIES, store_idempotent_response
from erkenning.http.guards import requires
from erkenning.http.idempotency import Replay
from erkenning.http.input_guard import refuse_bad_input
from erkenning.http.middleware import RequestContextMiddleware
from erkenning.http.openapi import (
    ClosedModelSchemaPlugin,
    ClosedStructSchemaPlugin,
    document_access,
    document_problems,
    finish_document,
)
from erkenning.recognition.controllers.attachments import BackofficeAttachmentController, PortalAttachmentController
from erkenning.recognition.controllers.backoffice import (
    CompanyRecognitionController,
    QualificationController,
    RecognitionController,
)
from erkenning.recognition.controllers.criteria import (
    AssessmentController,
    AssessmentReadController,
    CriteriaController,
)
from erkenning.recognition.controllers.decisions import DecisionController
from erkenning.recognition.controllers.objections import ObjectionController
from erkenning.recognition.controllers.portal import PortalRecognitionController
from erkenning.register.controllers import RegisterController, SchoolController
from erkenning.register.fast import FastVerify
from erkenning.reports.controllers import (
    PublicReportController,
    ReportController,
    ReportReadsController,
    SchoolReportController,
)
from erkenning.reports.structure_controllers import (
    AdvController,
    ReportingPointController,
    SchoolReportingPointController,
    WhereToReportController,
)
from erkenning.stagepact.controllers import MonitoringController, TargetController
from erkenning.training.controllers.backoffice import backoffice_controllers as training_backoffice
from erkenning.training.controllers.integrations import LearningPlatformController
from erkenning.training.controllers.portal import PortalTrainingController
from erkenning.training.controllers.public import CertificateController
from erkenning.web.errors import page_or_problem
from erkenning.web.rendering import template_config
from erkenning.web.router import web_routers
from erkenning.workflows import gauges as workflow_gauges
from erkenning.workflows.controllers.backoffice import AdviserTaskController, InvestigationController
from erkenning.workflows.controllers.portal import HearingController, ObjectionFileController
from erkenning.workflows.controllers.reporting_side import ReceiptReactionController, SchoolReactionController

# The domains' scrape-time gauges of `/metrics`.
GAUGE_READERS = [workflow_gauges.overdue_deadlines]

API_DESCRIPTION = """
Back office of SBB for the recognition (erkenning) of learning companies, their participation in
SBB's voluntary courses, and the investigations that follow reports of internship discrimination.

* `/api/v1/register` — the public register; anonymous (rate limited) or with a school token.
* `/api/v1/portal` — a learning company's own data; company token.
* `/api/v1/backoffice` — SBB staff; adviser, senior adviser or admin token.

Authenticate with `Authorization: Bearer <token>`. Errors are RFC 9457 `application/problem+json`
with a stable `type`. POSTs that create accept an `Idempotency-Key` header.
"""


def register_handlers() -> list[Any]:
    """Routes of the public register (anonymous allowed)."""
    return [
        RegisterController, SchoolController, PublicReportController, SchoolReportController, CertificateController,
        SchoolReactionController, ReceiptReactionController, WhereToReportController, SchoolReportingPointController,
        SchoolContactController,
    ]


def portal_handlers() -> list[Any]:
    """Routes of the company portal."""
    return [
        AccountController, PortalTrainingController, PortalRecognitionController, PortalAttachmentController,
        HearingController, CompanyContactController, ObjectionFileController,
    ]


def backoffice_handlers() -> list[Any]:
    """Routes of the back office."""
    return [
        CompanyController, PrincipalController, TokenController, AuditController, OutboxController,
        AdminContactController,
        ReportController, *training_backoffice(),
        QualificationController, RecognitionController, CompanyRecognitionController,
        DecisionController, ObjectionController, BackofficeAttachmentController, InvestigationController,
        MonitoringController, TargetController,
        AdviserTaskController, ReportReadsController, CalendarController, ReportingPointController, AdvController,
        CriteriaController, AssessmentController, AssessmentReadController,
    ]


def integration_handlers() -> list[Any]:
    """Routes for other systems that sign their calls instead of holding a token."""
    return [LearningPlatformController]


class ErkenningApp(Litestar):
    """Litestar with our request-context middleware outside its exception handling (sees every response), and
    the register's fast verify path between the two (`register.fast`)."""

    def _create_asgi_handler(self) -> ASGIApp:
        settings: Settings = self.state.runtime_settings
        handler = super()._create_asgi_handler()
        if settings.register_fast_verify:
            # Inside the request context (same id, headers, log, metrics), outside the framework.
            handler = FastVerify(handler, state=self.state, cors=bool(settings.cors_allow_origins))
        return RequestContextMiddleware(
            handler,
            trusted_proxies=settings.trusted_proxies,
            hsts=settings.is_production,
            # Signing out of single sign-on posts the sign-out form on to the provider (RP-initiated logout).
            form_action=[settings.oidc_issuer] if settings.oidc_enabled and settings.oidc_issuer else [],
        )


def _replay(_: Request[Any, Any, Any], exc: Replay) -> Response[bytes]:
    return Response(
        exc.body, status_code=exc.status_code, media_type=exc.media_type, headers={"Idempotent-Replayed": "true"}
    )


def create_served_app(build: Callable[[], Litestar] | None = None) -> Litestar:
    """The app as `erkenning serve` runs it (uvicorn's factory): `create_app()` (or `build()`, as the
    bench's server adds its ceiling routes), then its heap frozen (`runtime.freeze_startup_heap`)."""
    app = (build or create_app)()
    freeze_startup_heap()
    return app


def create_app(
    settings: Settings | None = None, runtime: Runtime | None = None, *, extra_route_handlers: list[Any] | None = None
) -> Litestar:
    """Build the app; with `runtime` given (tests), the caller owns its lifecycle."""
    settings = settings or (runtime.settings if runtime else get_settings())
    models.configure()
    configure_logging(settings)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        owned = app.state.get("runtime") is None
        if owned:
            app.state.runtime = Runtime.create(settings)
        # The decree days of Atw art. 3(3) from the database, now and every calendar_refresh_s.
        keeper = await calendar_days.keep_current(
            app.state.runtime.session_factory, every_s=settings.calendar_refresh_s
        )
        try:
            yield
        finally:
            await keeper.stop()
            if owned:
                await app.state.runtime.close()
                app.state.runtime = None

    routers = [
        Router("/api/v1/register", route_handlers=register_handlers(), tags=["register"]),
        Router("/api/v1/portal", route_handlers=portal_handlers(), guards=[requires(Role.COMPANY)], tags=["portal"]),
        Router("/api/v1/backoffice", route_handlers=backoffice_handlers(), guards=[requires(*STAFF_ROLES)]),
        Router("/api/v1/integrations", route_handlers=integration_handlers(), tags=["integrations"]),
    ]
    app = ErkenningApp(
        route_handlers=[
            *routers, HealthController, metrics_endpoint(GAUGE_READERS), *web_routers(), *(extra_route_handlers or [])
        ],
        # The letter renderer lives above the domains: their services are given it by this name.
        dependencies={**DEPENDENCIES, "letters": Provide(letters.provide_letters)},
        plugins=[ClosedModelSchemaPlugin(), ClosedStructSchemaPlugin()],
        guards=[refuse_bad_input],  # NUL characters, over-deep JSON: 422 / 400 on every route
        lifespan=[lifespan],
        state=_initial_state(settings, runtime),
        middleware=[DefineMiddleware(TokenAuthMiddleware, exclude=["^/schema", "^/health", "^/metrics"])],
        # Problem+json everywhere, except on the web interface's pages (Dutch HTML).
        exception_handlers={Exception: page_or_problem, Replay: _replay},
        template_config=template_config(),
        after_request=store_idempotent_response,
        cors_config=CORSConfig(allow_origins=settings.cors_allow_origins, allow_credentials=False)
        if settings.cors_allow_origins
        else None,
        request_max_body_size=settings.max_request_body_bytes,
        openapi_config=OpenAPIConfig(
            title="erkenning",
            version="1.0.0",
            description=API_DESCRIPTION,
            path="/schema",
            render_plugins=[SwaggerRenderPlugin(), RedocRenderPlugin()],
            components=Components(
                security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer", description="opaque token")}
            ),
            security=[{"bearer": []}],
        ),
        logging_config=None,
        debug=False,
    )
    document_problems(app)
    document_access(app)
    finish_document(app)
    return app


def _initial_state(settings: Settings, runtime: Runtime | None) -> State:
    return State({"runtime": runtime, "runtime_settings": settings})

