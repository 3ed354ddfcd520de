"""API shapes for companies; identifiers and the postcode are checked and normalised here."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.nl import postcode as nl_postcode

from erkenning.companies.models import Sector
from erkenning.core.fields import SPACE


def _digits(n: int, what: str) -> Callable[[str], str]:
    pattern = re.compile(rf"^[0-9]{{{n}}}$")

    def check(value: str) -> str:
        value = value.strip().replace(" ", "")
        if not pattern.fullmatch(value):
            raise ValueError(f"{what} is exactly {n} digits")
        return value

    return check


# A Dutch postcode as the API document states it: four digits (not starting with 0), two letters other than
# SA, SD and SS (which PostNL does not use), up to three spaces between them, up to ten white-space characters
# around. The pattern bounds the length (a `maxLength` would count the white space that is stripped before the
# check), and the server checks the same pattern.
POSTCODE_CORE = r"[1-9][0-9]{3} {0,3}([A-RT-Za-rt-z][A-Za-z]|[Ss][BCE-RT-Zbce-rt-z])"
POSTCODE_PATTERN = rf"^[{SPACE}]{{0,10}}{POSTCODE_CORE}[{SPACE}]{{0,10}}$"
_POSTCODE = re.compile(POSTCODE_PATTERN)


def normalise_postcode(value: str) -> str:
    """`1234ab`, `1234 AB`, ` 1234  ab ` → `1234 AB`; refuses what is not a Dutch postcode (exactly what
    POSTCODE_PATTERN refuses)."""
    try:
        if not _POSTCODE.fullmatch(value):
            raise ValueError
        return str(nl_postcode.validate(value))
    except (StdnumError, ValueError):
        raise ValueError("a Dutch postcode looks like 1234 AB") from None


# The lengths bound what is read before the check (spaces are allowed between the digits).
# The patterns tell the OpenAPI document the plain form; the validators also take spaces between digits.
KvkNumber = Annotated[
    str, Field(max_length=20, json_schema_extra={"pattern": "^[0-9]{8}$"}), AfterValidator(_digits(8, "a KvK number"))
]
EstablishmentNumber = Annotated[
    str, Field(max_length=30, json_schema_extra={"pattern": "^[0-9]{12}$"}),
    AfterValidator(_digits(12, "an establishment number (vestigingsnummer)")),
]
Postcode = Annotated[str, Field(pattern=POSTCODE_PATTERN), AfterValidator(normalise_postcode)]
SbbId = Annotated[str, Field(pattern=r"^[0-9]{1,12}$", description="SBB company id (digits)")]
Name = Annotated[str, Field(min_length=1, max_length=200)]


class CompanyBase(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kvk_number: KvkNumber
    establishment_number: EstablishmentNumber
    name: Name
    street: str | None = Field(default=None, max_length=200)
    house_number: str | None = Field(default=None, max_length=20)
    postcode: Postcode
    city: str = Field(min_length=1, max_length=100)
    sector: Sector
    email: EmailStr | None = None


class CompanyCreate(CompanyBase):
    sbb_id: SbbId | None = Field(default=None, description="leave empty to have one assigned")


class CompanyUpdate(BaseModel):
    """Only the fields given change; `version` must be the one you read (else 409)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    version: int = Field(ge=1)
    kvk_number: KvkNumber | None = None
    name: Name | None = None
    street: str | None = Field(default=None, max_length=200)
    house_number: str | None = Field(default=None, max_length=20)
    postcode: Postcode | None = None
    city: str | None = Field(default=None, min_length=1, max_length=100)
    sector: Sector | None = None
    email: EmailStr | None = None


class CompanyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    sbb_id: str
    kvk_number: str
    establishment_number: str
    name: str
    street: str | None
    house_number: str | None
    postcode: str
    city: str
    sector: Sector
    email: str | None
    version: int
    created_at: datetime
    updated_at: datetime
