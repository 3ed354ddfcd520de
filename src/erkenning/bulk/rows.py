"""What each CSV kind holds, and how one row is checked: by the same rules as the API.

A company row goes through the API's own `CompanyCreate` and a qualification row through its
`QualificationCreate`, so a row valid in the CSV is exactly a row the API would accept. Recognition
rows reuse the API's identifier types.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, field_validator, model_validator

from erkenning.companies.schemas import CompanyCreate, EstablishmentNumber, SbbId
from erkenning.core import clock
from erkenning.recognition.models import Pathway, RecognitionStatus
from erkenning.recognition.schemas import Crebo, QualificationCreate


def _memoise_email_domain_check() -> None:
    """Let email-validator check each distinct domain once per process, not once per address.

    `EmailStr` (the API's rule) has email-validator check the domain's syntax against the IDNA/UTS-46
    tables on every address: about three quarters of the cost of checking a company row. The check
    is a pure function of its arguments, and in a file of thousands of companies the same domains
    recur, so memoising it gives the same answers (and the same errors) at a fraction of the cost.
    """
    module = importlib.import_module("email_validator.validate_email")
    name = "validate_email_domain_name"
    check = getattr(module, name, None)
    if check is not None and not hasattr(check, "cache_info"):
        setattr(module, name, functools.lru_cache(maxsize=100_000)(check))


_memoise_email_domain_check()


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


class QualificationRow(QualificationCreate):
    """The API's qualification, except that an empty `active` keeps what is registered (new rows: true)."""

    active: bool | None = None  # type: ignore[assignment]  # may be left empty, unlike the API's


class RecognitionRow(BaseModel):
    """One recognition: the company (by establishment number or SBB id), crebo, pathway, status since a date."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    establishment_number: EstablishmentNumber | None = None
    sbb_id: SbbId | None = None
    crebo: Crebo
    pathway: Annotated[Pathway, BeforeValidator(_lower)]
    status: Annotated[RecognitionStatus, BeforeValidator(_lower)]
    since: date
    granted_on: date | None = None
    reassessment_due: date | None = None

    @field_validator("since")
    @classmethod
    def _not_in_future(cls, value: date) -> date:
        if value > clock.today():
            raise ValueError("must not be in the future (future-dated changes come from decisions)")
        return value

    @model_validator(mode="after")
    def _names_a_company(self) -> RecognitionRow:
        if self.establishment_number is None and self.sbb_id is None:
            raise ValueError("name the company by establishment_number or sbb_id")
        return self


@dataclass(frozen=True)
class Kind:
    """One importable CSV kind: its columns (in staging order), which are required, and its row check."""

    name: str
    columns: tuple[str, ...]
    required: frozenset[str]
    staging_types: tuple[str, ...]
    model: type[BaseModel]
    to_record: Callable[[Any], tuple[Any, ...]]
    one_of: frozenset[str] = frozenset()  # the header must hold at least one of these

    def check_batch(
        self, columns: list[str], batch: list[tuple[int, list[str]]]
    ) -> tuple[list[tuple[Any, ...]], list[tuple[int, str]]]:
        """Staging records (line first) of the good rows, and (line, reason) for the bad ones."""
        records, problems = [], []
        width = len(columns)
        for line, cells in batch:
            if len(cells) != width:
                problems.append((line, f"row: has {len(cells)} cells, the header has {width}"))
                continue
            try:
                records.append((line, *self.check(dict(zip(columns, cells, strict=True)))))
            except RowError as exc:
                problems.append((line, str(exc)))
        return records, problems

    def check(self, row: dict[str, str]) -> tuple[Any, ...]:
        """The row as a staging record; raises `RowError` naming each bad field."""
        # An empty cell means "not given": the model's default applies (and nothing registered is cleared).
        given = {k: v for k, v in row.items() if v is not None and v.strip() != ""}
        try:
            return self.to_record(self.model.model_validate(given))
        except ValidationError as exc:
            raise RowError(describe(exc)) from None


class RowError(ValueError):
    """A CSV row that breaks the rules; the message names each field and why."""


def describe(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors(include_url=False):
        field = ".".join(str(p) for p in error["loc"]) or "row"
        message = error["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
        parts.append(f"{field}: {message}")
    return "; ".join(parts)


def _company(m: CompanyCreate) -> tuple[Any, ...]:
    return (m.sbb_id, m.kvk_number, m.establishment_number, m.name, m.street, m.house_number, m.postcode, m.city,
            m.sector.value, m.email)


def _qualification(m: QualificationRow) -> tuple[Any, ...]:
    return (m.crebo, m.name, m.level, m.active)


def _recognition(m: RecognitionRow) -> tuple[Any, ...]:
    return (m.establishment_number, m.sbb_id, m.crebo, m.pathway.value, m.status.value, m.since, m.granted_on,
            m.reassessment_due)


COMPANIES = Kind(
    name="companies",
    columns=("sbb_id", "kvk_number", "establishment_number", "name", "street", "house_number", "postcode", "city",
             "sector", "email"),
    required=frozenset({"kvk_number", "establishment_number", "name", "postcode", "city", "sector"}),
    staging_types=("text",) * 10,
    model=CompanyCreate,
    to_record=_company,
)

QUALIFICATIONS = Kind(
    name="qualifications",
    columns=("crebo", "name", "level", "active"),
    required=frozenset({"crebo", "name", "level"}),
    staging_types=("text", "text", "int", "boolean"),
    model=QualificationRow,
    to_record=_qualification,
)

RECOGNITIONS = Kind(
    name="recognitions",
    columns=("establishment_number", "sbb_id", "crebo", "pathway", "status", "since", "granted_on",
             "reassessment_due"),
    required=frozenset({"crebo", "pathway", "status", "since"}),
    staging_types=("text", "text", "text", "text", "text", "date", "date", "date"),
    model=RecognitionRow,
    to_record=_recognition,
    one_of=frozenset({"establishment_number", "sbb_id"}),
)

KINDS = {k.name: k for k in (COMPANIES, QUALIFICATIONS, RECOGNITIONS)}


def check_batch(
    kind_name: str, columns: list[str], batch: list[tuple[int, list[str]]]
) -> tuple[list[tuple[Any, ...]], list[tuple[int, str]]]:
    """`Kind.check_batch` by kind name: what a worker process runs (module-level, so it pickles)."""
    return KINDS[kind_name].check_batch(columns, batch)
