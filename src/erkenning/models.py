"""Imports every table so that mappers resolve and Alembic sees the whole schema."""

from erkenning.audit.models import AuditEvent
from erkenning.auth.models import ApiToken, Principal
from erkenning.companies.models import Company
from erkenning.idempotency import IdempotencyKey
from erkenning.outbox import OutboxEvent
from erkenning.recognition.models import (
    Decision,
    DecisionRecognition,
    Objection,
    Qualification,
    Recognition,
    RecognitionPeriod,
)
from erkenning.recognition.models import Qualification, Recognition, RecognitionPeriod
from erkenning.register.models import Delivery, SchoolWebhook, Subscription
from erkenning.reports.models import Report, ReportConfidential
from erkenning.retention.models import RetentionErasure
from erkenning.training.models import Course, CourseSession, Participation
from erkenning.workflows.models import AdviserTask, Deadline, Investigation, InvestigationReport, TimelineEvent
from erkenning.web.sessions import WebSession

__all__ = [
    "AdviserTask",
    "ApiToken",
    "AuditEvent",
    "Company",
    "Course",
    "CourseSession",
    "Deadline",
    "Decision",
    "DecisionRecognition",
    "Delivery",
    "IdempotencyKey",
    "Investigation",
    "InvestigationReport",
    "Objection",
    "OutboxEvent",
    "Participation",
    "Principal",
    "Qualification",
    "Recognition",
    "RecognitionPeriod",
    "Report",
    "ReportConfidential",
    "RetentionErasure",
    "SchoolWebhook",
    "Subscription",
    "TimelineEvent",
    "WebSession",
]
