"""Routes of the course catalogue and participations, by audience.

`PROVIDERS`: the domain's services, injected by name into its routes and the web pages.
"""

from erkenning.http.dependencies import provide
from erkenning.training.services.catalogue import CatalogueService
from erkenning.training.services.completions import CompletionRecorder
from erkenning.training.services.invitations import InvitationService
from erkenning.training.services.participations import ParticipationService

PROVIDERS = {
    "catalogue": provide(CatalogueService),
    "participations": provide(ParticipationService),
    "completion_recorder": provide(CompletionRecorder),
    "invitations": provide(InvitationService),
}
