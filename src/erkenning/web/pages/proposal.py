"""The proposal of an investigation's outcome on the case page: its fields (those of the outcome chosen
only), the outcomes the transition table allows now, and every error at once."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from erkenning import vocabulary
from erkenning.core import states
from erkenning.core.caller import Caller
from erkenning.core.errors import DomainError
from erkenning.training.models import Topic
from erkenning.web.forms import Field, Form, When
from erkenning.workflows.models import Investigation, Outcome
from erkenning.workflows.models import InvestigationStatus as S
from erkenning.workflows.schemas import ProposalIn
from erkenning.workflows.states import ADVERSE, TRANSITIONS

IMPROVING = When("outcome", (Outcome.IMPROVEMENT_AGREEMENT.value,), "Bij verbeterafspraken")
MEASURE = When("outcome", tuple(o.value for o in Outcome if o in ADVERSE), "Bij schorsing of intrekking")
SUSPENDING = When("outcome", (Outcome.SUSPENSION.value,), "Alleen bij schorsing")
CONCERNING = When("outcome", tuple(o.value for o in Outcome if o is not Outcome.UNFOUNDED),
                  "Bij verbeterafspraken, schorsing of intrekking")
OUTCOME_HINT = "Alleen de uitkomsten die nu kunnen."
NOT_HEARD_HINT = ("Schorsing of intrekking kan pas nadat het bedrijf is gehoord (hoor en wederhoor, art. 4:8 Awb); "
                  "dit bedrijf is niet gehoord, dus die staan er niet bij.")
PROPOSAL_FIELDS = (
    Field("outcome", "Voorgestelde uitkomst", kind="radios", form_id="voorstel", options=vocabulary.options(Outcome),
          hint=OUTCOME_HINT, missing="Kies de voorgestelde uitkomst."),
    Field("findings", "Bevindingen", kind="textarea", form_id="voorstel", missing="Vul de bevindingen in.",
          hint="Wat het onderzoek heeft vastgesteld. Deze tekst wordt de motivering van een besluit."),
    # The recognition criterion the outcome concerns (options per request: the list in force).
    Field("criterion_code", "Erkenningsvoorwaarde waar de uitkomst over gaat", kind="select", required=False,
          form_id="voorstel", when=CONCERNING,
          hint="Een schorsing of intrekking noemt deze voorwaarde in het besluit en de brief.",
          invalid="Kies een voorwaarde uit de lijst."),
    Field("measures", "Verbeterafspraken", kind="textarea", form_id="voorstel", when=IMPROVING,
          hint="Wat het bedrijf gaat doen.", missing="Beschrijf de verbeterafspraken.",
          invalid="Beschrijf de verbeterafspraken."),
    Field("follow_up_on", "Controle op", kind="date", form_id="voorstel", width="s", when=IMPROVING,
          hint="Wanneer SBB controleert; na vandaag.", missing="Vul de controledatum in, na vandaag.",
          invalid="Vul een controledatum in de toekomst in."),
    Field("recommended_topics", "Aanbevolen cursusonderwerpen", kind="checkboxes", required=False,
          form_id="voorstel", options=vocabulary.options(Topic), when=IMPROVING,
          hint="Cursussen zijn vrijwillig; bij de controle ziet u wat is gevolgd."),
    Field("recognition_ids", "Erkenningen", kind="checkboxes", form_id="voorstel", when=MEASURE,
          hint="De erkenningen waarop het besluit betrekking heeft.",
          missing="Kies de erkenningen waarop het besluit betrekking heeft.",
          invalid="Kies erkenningen van dit bedrijf waarop het besluit betrekking heeft."),
    Field("effective_from", "Ingangsdatum", kind="date", form_id="voorstel", width="s", when=MEASURE,
          hint="Vandaag of later.", missing="Vul de ingangsdatum in, vandaag of later.",
          invalid="Vul een ingangsdatum in, vandaag of later."),
    Field("placements_until", "Lopende stages en leerbanen mogen doorgaan tot en met", kind="date",
          form_id="voorstel", width="s", when=MEASURE,
          hint="De overgangsregeling, niet vóór de ingangsdatum. Leeg laten mag alleen bij een intrekking met een "
               "latere ingangsdatum: dan is het tot en met die datum.",
          missing="Vul in tot wanneer lopende stages door mogen gaan.",
          invalid="Vul in tot wanneer lopende stages door mogen gaan, niet vóór de ingangsdatum."),
    Field("urgent_reason", "Spoedeisend: waarom het bedrijf niet eerst op een voornemen kan reageren", kind="textarea",
          required=False, form_id="voorstel", when=MEASURE,
          hint="Meestal leeg: dan krijgt het bedrijf eerst een voornemen met een reactietermijn (art. 4:8 Awb). Alleen "
               "als wachten de studenten schaadt (art. 4:11 Awb); de reden staat in het besluit.",
          invalid="Beschrijf in hoogstens 4.000 tekens waarom het niet kan wachten."),
    Field("effective_until", "Einddatum van de schorsing", kind="date", required=False, form_id="voorstel",
          width="s", when=SUSPENDING, hint="Leeg laten als de schorsing duurt tot herstel.",
          invalid="De einddatum ligt na de ingangsdatum."),
)


def outcomes_allowed(case: Investigation, caller: Caller) -> list[Outcome]:
    """The outcomes the transition table lets this caller propose now (no suspension before a hearing)."""
    allowed = []
    for outcome in Outcome:
        try:
            states.check(TRANSITIONS, case.status, S.PROPOSED, case, caller, {"outcome": outcome, "findings": "-"})
        except DomainError:
            continue
        allowed.append(outcome)
    return allowed


def every_proposal_error(form: Form, payload: Any) -> None:
    """Every error of a proposal at once: the schema's, and those of the outcome chosen (`Proposal.problems`,
    which the service checks too) over the fields the schema took; a refused outcome is named as such."""
    outcome = form.values["outcome"]
    if outcome and outcome not in {value for value, _ in form["outcome"].options}:
        form.errors["outcome"] = "Deze uitkomst kan nu niet worden voorgesteld. Kies een van de uitkomsten hieronder."
        return
    if payload is None:
        if "outcome" in form.errors:
            return
        taken = {name: value for name, value in form.payload().items() if name not in form.errors}
        try:
            payload = ProposalIn.model_validate({**taken, "findings": taken.get("findings") or "-"})
        except ValidationError:
            return
    form.add_errors(payload.proposal().problems())
