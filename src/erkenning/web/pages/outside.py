"""The pages for people outside SBB: learning companies (portal), schools, and anyone (no sign-in)."""

from __future__ import annotations

from typing import Any

from erkenning.web.pages.contacts import CompanyContactPages, SchoolContactPages
from erkenning.web.pages.portal import PortalPages
from erkenning.web.pages.portal_hearings import PortalHearingPages
from erkenning.web.pages.portal_objections import PortalObjectionPages
from erkenning.web.pages.portal_training import PortalTrainingPages
from erkenning.web.pages.public import PublicPages
from erkenning.web.pages.public_reports import PrivacyPage, PublicReportPages
from erkenning.web.pages.reporting_points import SchoolReportingPointPages
from erkenning.web.pages.school import SchoolVerifyPages
from erkenning.web.pages.school_reports import SchoolReportPages
from erkenning.web.pages.school_subscriptions import SchoolSubscriptionPages
from erkenning.web.pages.verify import VerifyPages


def outside_handlers() -> list[Any]:
    return [
        PortalPages, PortalObjectionPages, PortalHearingPages, PortalTrainingPages,
        SchoolVerifyPages, SchoolSubscriptionPages, SchoolReportPages, SchoolReportingPointPages,
        PublicPages, VerifyPages, PublicReportPages, PrivacyPage, CompanyContactPages, SchoolContactPages,
    ]
