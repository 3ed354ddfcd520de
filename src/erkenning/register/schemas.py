"""API shapes of the register. Only public facts: name, city, postcode, and recognitions with dates.

The verify shapes are msgspec structs: they are on the hot path (a thousand a batch) and Litestar
decodes and encodes them natively, without a validation pass per object.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from pydantic import BaseModel, ConfigDict, EmailStr, Field

from erkenning.core.fields import SPACE, TRIMMED
from erkenning.core.paging import Page
from erkenning.recognition.models import Pathway, RecognitionStatus
from erkenning.register.models import Channel, DeliveryStatus

COMPANY_KEY = r"^[0-9]{1,12}$"
COMPANY_KEY_HELP = "SBB company id, or the 12-digit establishment number (vestigingsnummer)"
CREBO = r"^[0-9]{5}$"


# ---------------------------------------------------------------- public register


class RegisterCompany(BaseModel):
    """One company as the register shows it in search results."""

    sbb_id: str
    name: str
    city: str
    postcode: str
    matched_on: Literal["kvk_number", "establishment_number", "sbb_id"] | None = Field(
        default=None, description="search by `number` only: which of the company's keys the number is"
    )


class RegisterRecognition(BaseModel):
    crebo: str
    qualification: str
    level: int
    pathway: Pathway
    since: dt.date | None


class RegisterCard(BaseModel):
    """A company's public card: who it is, and what it is recognised for today."""

    sbb_id: str
    name: str
    city: str
    postcode: str
    recognitions: list[RegisterRecognition]


class CompanySearchPage(Page[RegisterCompany]):
    """One page of a search; a search by part of the name stops counting at `REGISTER_NAME_SEARCH_CAP`."""

    capped: bool = Field(
        default=False, description="more companies match than the cap (then `total` is the cap): search more precisely"
    )


class VerifyAnswer(msgspec.Struct, kw_only=True):
    """Was this company recognised for this qualification and pathway on this date."""

    company: str
    crebo: str
    pathway: Pathway
    date: dt.date
    recognised: bool
    status: RecognitionStatus | None
    since: dt.date | None
    until: dt.date | None
    placements_until: Annotated[
        dt.date | None,
        msgspec.Meta(
            description="suspended or withdrawn by a decision with a transition arrangement: students whose "
            "placement was running when it took effect may continue it until this day (inclusive)"
        ),
    ] = None


class BatchItem(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    company: Annotated[str, msgspec.Meta(pattern=COMPANY_KEY, description=COMPANY_KEY_HELP)]
    crebo: Annotated[str, msgspec.Meta(pattern=CREBO)]
    pathway: Pathway
    date: dt.date | None = None


class BatchRequest(msgspec.Struct, forbid_unknown_fields=True):
    # REGISTER_BATCH_MAX_ITEMS may lower the ceiling (the handler refuses more), never raise it.
    items: Annotated[list[BatchItem], msgspec.Meta(min_length=1, max_length=1000)]


class BatchAnswer(msgspec.Struct):
    items: list[VerifyAnswer]


# ---------------------------------------------------------------- school subscriptions


# An http(s) URL without credentials, white space or control characters (around it: what the shape strips).
WEBHOOK_URL = rf"^[{TRIMMED}]*https?://[^{SPACE}/?#@\x00-\x1f\x7f]+([/?#][^{SPACE}\x00-\x1f\x7f]*)?[{TRIMMED}]*$"


class WebhookSet(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    url: str = Field(
        min_length=8, max_length=500, pattern=WEBHOOK_URL,
        description="https URL that receives signed POSTs; its host must resolve to public addresses only, "
        "no credentials in it (plain http only to a network the operator allows: WEBHOOK_ALLOWED_NETWORKS)",
    )


class WebhookRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    url: str
    secret_hint: str
    created_at: dt.datetime
    updated_at: dt.datetime


class WebhookIssued(WebhookRead):
    """The webhook with its signing secret: shown in this answer only, never again."""

    secret: str


class SubscriptionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    company: str = Field(pattern=COMPANY_KEY, description=COMPANY_KEY_HELP)
    channel: Channel = Channel.WEBHOOK
    email: EmailStr | None = Field(default=None, description="for channel email; default: the token holder's address")


class SubscriptionRead(BaseModel):
    id: UUID
    company: str = Field(description="SBB company id")
    name: str
    channel: Channel
    email: str | None
    created_at: dt.datetime


class DeliveryRead(BaseModel):
    """One entry of the delivery log: what was sent about which recognition, and how it went."""

    model_config = ConfigDict(from_attributes=True)

    id: UUID
    subscription_id: UUID | None
    channel: Channel
    status: DeliveryStatus
    company: str
    crebo: str
    pathway: Pathway
    corrected: bool = Field(description="the notice corrects earlier answers (a decision undone from its start)")
    attempts: int
    last_response_code: int | None
    last_error: str | None
    created_at: dt.datetime
    last_attempt_at: dt.datetime | None
    delivered_at: dt.datetime | None
