"""Every table of the service, in one place: mappers resolve against the whole schema and Alembic sees it.

The app, the worker and the CLI call `configure()` when they start; nothing imports this module for a
side effect.
"""

from sqlalchemy import orm as sa_orm

from erkenning.companies.models import Company
from erkenning.core.audit.models import AuditEvent
from erkenning.core.auth.models import ApiToken, Principal
from erkenning.core.calendar_days import EquatedHoliday
from erkenning.core.outbox import OutboxEvent
from erkenning.http.idempotency import IdempotencyKey
from erkenning.recognition.attachments import ObjectionAttachment
from erkenning.recognition.criteria import (
    CriteriaAssessment,
    CriteriaAssessmentItem,
    CriteriaList,
    RecognitionCriterion,
)
from erkenning.recognition.models import (
    Decision,
    DecisionRecognition,
    Objection,
    Qualification,
    Recognition,
    RecognitionPeriod,
    RecognitionPeriodHistory,
)
from erkenning.register.models import Delivery, RegisterAnswer, SchoolWebhook, Subscription
from erkenning.reports.models import Adv, AdvMunicipality, Report, ReportConfidential, ReportingPoint
from erkenning.retention.models import RetentionErasure
from erkenning.stagepact.models import Target as StagepactTarget
from erkenning.training.models import Course, CourseSession, Invitation, Participation
from erkenning.web.sessions import WebSession
from erkenning.workflows.models import AdviserTask, Deadline, Investigation, InvestigationReport, TimelineEvent


def configure() -> None:
    """Resolve every mapper now (relationships between tables of different domains), not at the first query."""
    sa_orm.configure_mappers()


__all__ = [
    "Adv",
    "AdvMunicipality",
    "AdviserTask",
    "ApiToken",
    "AuditEvent",
    "Company",
    "Course",
    "CriteriaAssessment",
    "CriteriaAssessmentItem",
    "CriteriaList",
    "CourseSession",
    "Deadline",
    "Decision",
    "DecisionRecognition",
    "Delivery",
    "EquatedHoliday",
    "IdempotencyKey",
    "Invitation",
    "Investigation",
    "InvestigationReport",
    "Objection",
    "ObjectionAttachment",
    "OutboxEvent",
    "Participation",
    "Principal",
    "Qualification",
    "Recognition",
    "RecognitionCriterion",
    "RecognitionPeriod",
    "RecognitionPeriodHistory",
    "RegisterAnswer",
    "Report",
    "ReportConfidential",
    "ReportingPoint",
    "RetentionErasure",
    "SchoolWebhook",
    "StagepactTarget",
    "Subscription",
    "TimelineEvent",
    "WebSession",
]
