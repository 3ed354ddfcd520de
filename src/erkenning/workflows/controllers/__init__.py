"""Routes of investigations and advisers' tasks, by audience.

`PROVIDERS`: the domain's services, injected by name into its routes and the web pages.
"""

from erkenning.http.dependencies import provide
from erkenning.workflows.services.adviser_tasks import AdviserTaskService
from erkenning.workflows.services.investigations import InvestigationService

PROVIDERS = {
    "investigations": provide(InvestigationService),
    "adviser_tasks": provide(AdviserTaskService),
}
