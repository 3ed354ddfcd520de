"""The fields of a report form, shared by the anonymous form and a school's reporting point.

The rules are the reports schemas' (`AnonymousReportCreate`, `SchoolReportCreate`); here are only
the words. Nested parts (`company`, `confidential`) are flat fields named `<part>_<field>`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TypeVar

from pydantic import BaseModel

from erkenning import vocabulary
from erkenning.reports.models import Ground
from erkenning.web import fields, privacy
from erkenning.web.forms import Field, Form
from erkenning.web.nested import validate_grouped

M = TypeVar("M", bound=BaseModel)

COMPANY_FIELDS = (
    Field("company_name", "Naam van het bedrijf", required=False, autocomplete="off",
          invalid="De naam mag hoogstens 200 tekens lang zijn."),
    *(replace(f, name=f"company_{f.name}") for f in (fields.KVK_NUMBER, fields.ESTABLISHMENT_NUMBER, fields.SBB_ID)),
)
NAME_THE_COMPANY = (
    "Vul ten minste één gegeven van het bedrijf in: de naam, het KvK-nummer, het vestigingsnummer "
    "of het leerbedrijf-ID."
)

FACT_FIELDS = (
    Field("ground", "Waar ging de discriminatie over?", kind="select",
          options=vocabulary.options(Ground, capitals=True),
          missing="Kies waar de discriminatie over ging.", invalid="Kies waar de discriminatie over ging."),
    Field("incident_date", "Wanneer gebeurde het?", kind="date", width="s",
          hint="Weet u de precieze dag niet meer? Kies dan een dag die in de buurt ligt.",
          missing="Vul in wanneer het gebeurde.",
          invalid="Vul een geldige datum in, niet in de toekomst en niet voor 2000."),
    replace(fields.CREBO, label="Crebo-code van de opleiding", hint="5 cijfers, als u die weet."),
    Field("summary", "Wat is er gebeurd, in het kort?", kind="textarea",
          hint="Hoogstens 500 tekens. Noem hier geen namen, en niets over iemands gezondheid, geloof of afkomst.",
          missing="Beschrijf kort wat er is gebeurd.",
          invalid="Beschrijf het in hoogstens 500 tekens."),
)
NARRATIVE = Field(
    "confidential_narrative", "Het verhaal van de student", kind="textarea", required=False,
    hint=f"Vertrouwelijk: alleen {privacy.readers()} van SBB lezen dit. Hoogstens 8.000 tekens.",
    invalid="Het verhaal mag hoogstens 8.000 tekens lang zijn.",
)
# The anonymous form speaks to the student (or a witness) as "u", so the narrative is theirs.
OWN_NARRATIVE = replace(
    NARRATIVE, label="Wat is er gebeurd, in uw eigen woorden?",
    hint=f"Vertrouwelijk: alleen {privacy.readers()} van SBB lezen dit. Hoogstens 8.000 tekens.",
    invalid="Uw verhaal mag hoogstens 8.000 tekens lang zijn.",
)
REPORTER_FIELDS = (
    Field("confidential_reporter_name", "Naam van de melder", required=False, autocomplete="off",
          invalid="De naam mag hoogstens 200 tekens lang zijn."),
    Field("confidential_reporter_contact", "Hoe bereikt SBB de melder?", required=False, autocomplete="off",
          hint="Een e-mailadres of telefoonnummer.", invalid="Dit mag hoogstens 200 tekens lang zijn."),
)


def validate_report(form: Form, schema: type[M], confidential: tuple[Field, ...]) -> M | None:
    """The report schema's verdict on the form, with the company and confidential parts nested."""
    return validate_grouped(
        form, schema,
        {"company": [f.name for f in COMPANY_FIELDS], "confidential": [f.name for f in confidential]},
        whole={"company": NAME_THE_COMPANY, "confidential": "Controleer het vertrouwelijke deel."},
        optional=("confidential",),
    )

