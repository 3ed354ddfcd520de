"""Routes of qualifications, recognitions, decisions and objections, by audience.

`PROVIDERS`: the domain's services, injected by name into its routes and the web pages.
"""

from erkenning.http.dependencies import provide
from erkenning.recognition.services.criteria import AssessmentService, CriteriaService
from erkenning.recognition.services.decisions import DecisionService
from erkenning.recognition.services.objection_attachments import ObjectionAttachmentService
from erkenning.recognition.services.objection_hearings import ObjectionHearingService
from erkenning.recognition.services.objections import ObjectionService
from erkenning.recognition.services.qualifications import QualificationService
from erkenning.recognition.services.recognitions import RecognitionService

PROVIDERS = {
    "qualifications": provide(QualificationService),
    "recognitions": provide(RecognitionService),
    "decisions": provide(DecisionService),
    "objections": provide(ObjectionService),
    "objection_hearings": provide(ObjectionHearingService),
    "objection_attachments": provide(ObjectionAttachmentService),
    "criteria": provide(CriteriaService),
    "assessments": provide(AssessmentService),
}
