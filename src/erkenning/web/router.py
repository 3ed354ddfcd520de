"""The web interface as routers for the app: pages at `/` and their static files at `/static`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Router
from litestar.datastructures import CacheControlHeader
from litestar.static_files import create_static_files_router

from erkenning.web import csrf
from erkenning.web.errors import PAGE_OPT
from erkenning.web.middleware import WebSessionMiddleware
from erkenning.web.pages.admin import AdminPages
from erkenning.web.pages.assessments import AssessmentPages
from erkenning.web.pages.companies import CompanyPages
from erkenning.web.pages.contacts import AdminContactPages
from erkenning.web.pages.course_sessions import CourseSessionPages
from erkenning.web.pages.courses import CoursePages
from erkenning.web.pages.decisions import DecisionPages
from erkenning.web.pages.investigations import InvestigationPages
from erkenning.web.pages.monitoring import MonitoringPages
from erkenning.web.pages.my_work import TaskPages  # also registers the advisers' start sections
from erkenning.web.pages.objection_files import ObjectionFilePages
from erkenning.web.pages.objections import ObjectionPages
from erkenning.web.pages.outside import outside_handlers  # companies, schools and the public
from erkenning.web.pages.report_intake import ReportIntakePages
from erkenning.web.pages.report_reads import ReportReadPages
from erkenning.web.pages.reporting_points import ReportingPointPages
from erkenning.web.pages.reports import ReportPages
from erkenning.web.pages.session import SignInController
from erkenning.web.pages.sign_in_link import SignInLinkPages
from erkenning.web.pages.start import StartController, sections_provider
from erkenning.web.pages.work_lists import WorkListPages
from erkenning.web.providers import PROVIDERS

STATIC = Path(__file__).parent / "static"


def page_handlers() -> list[Any]:
    """Every page controller; add yours here."""
    return [
        SignInController, SignInLinkPages, StartController, CompanyPages, AdminPages, AdminContactPages,
        ReportReadPages,
        # The back office of SBB staff: reports, investigations, decisions, objections, courses.
        ReportPages, ReportIntakePages, InvestigationPages, DecisionPages, ObjectionPages, ObjectionFilePages,
        CoursePages, CourseSessionPages, MonitoringPages, ReportingPointPages, TaskPages, WorkListPages,
        AssessmentPages,
    ]


def web_routers() -> list[Router]:
    pages = Router(
        "/",
        route_handlers=[*page_handlers(), *outside_handlers()],
        # Every page module is imported by now, so the start page knows all its sections.
        dependencies={**PROVIDERS, "start_sections": sections_provider()},
        middleware=[WebSessionMiddleware()],
        before_request=csrf.check,
        include_in_schema=False,
        opt={PAGE_OPT: True},
    )
    static = create_static_files_router(
        "/static", directories=[STATIC], include_in_schema=False, cache_control=CacheControlHeader(max_age=3600)
    )
    return [pages, static]
