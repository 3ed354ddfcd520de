"""Routes of investigations and advisers' tasks, by audience.

`PROVIDERS`: the domain's services, injected by name into its routes and the web pages.
"""

from erkenning.http.dependencies import provide
from erkenning.workflows.services.adviser_tasks import AdviserTaskService
from erkenning.workflows.services.investigations import InvestigationService
from erkenning.workflows.services.objection_files import ObjectionFileService
from erkenning.workflows.services.reporter_reactions import ReporterReactionService

PROVIDERS = {
    "investigations": provide(InvestigationService),
    "reporter_reactions": provide(ReporterReactionService),
    "adviser_tasks": provide(AdviserTaskService),
    "objection_files": provide(ObjectionFileService),
}
