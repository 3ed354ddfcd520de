"""Attachments to an objection (bijlagen bij een bezwaarschrift): the table, and what a file may be.

An objection states its grounds (art. 6:5 Awb) and may come with documents that support them. A company
adds PDFs and images (PNG, JPEG); each is kept in PostgreSQL itself (`objection_attachment.content`,
bytea), so the file lives and is backed up with the objection it belongs to and is scoped like it. The
type is judged from the first bytes of the content (its magic number), never from the name or the
`Content-Type` the sender claims; the name is kept only to show and to offer the download under.

A file is staged first (`objection_id` empty) while the company checks its answers, and becomes part
of the objection when it is filed.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import ClassVar
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import Field

from erkenning.core.auth.scope import owned_by_company
from erkenning.core.db import UUIDModel, timestamp_field

MAX_BYTES = 10 * 1024 * 1024  # each file
MAX_FILES = 5  # per objection
# The multipart body of the form or the API: every file at its largest, plus the grounds and the boundaries.
MAX_BODY_BYTES = MAX_FILES * MAX_BYTES + 256 * 1024

# Media type → its magic number (what the content starts with) and the file name extension we give it.
KINDS: dict[str, tuple[bytes, str]] = {
    "application/pdf": (b"%PDF-", ".pdf"),
    "image/png": (b"\x89PNG\r\n\x1a\n", ".png"),
    "image/jpeg": (b"\xff\xd8\xff", ".jpg"),
}
MEDIA_TYPES = tuple(KINDS)


def sniff(content: bytes) -> str | None:
    """The media type the content is by its first bytes, or None when it is none of PDF, PNG, JPEG."""
    return next((media for media, (magic, _) in KINDS.items() if content.startswith(magic)), None)


def safe_filename(name: str | None, media_type: str) -> str:
    """A name to show and to download under: no path, no control or quote characters, at most 120
    characters, and the extension of what the file really is."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C" and c not in '"<>:|?*;')
    stem = base.rsplit(".", 1)[0].strip(" .") if "." in base else base.strip(" .")
    return f"{(stem or 'bijlage')[:100]}{KINDS[media_type][1]}"


class ObjectionAttachment(UUIDModel, table=True):
    """Bijlage: a document (PDF, PNG or JPEG) that a company adds to its objection."""

    __tablename__ = "objection_attachment"
    __scope__: ClassVar = staticmethod(owned_by_company())
    __table_args__ = (
        sa.CheckConstraint(
            "media_type IN ('application/pdf', 'image/png', 'image/jpeg')", name="media_type_allowed"
        ),
        sa.CheckConstraint(
            f"size_bytes > 0 AND size_bytes <= {MAX_BYTES} AND size_bytes = octet_length(content)",
            name="size_within_limit",
        ),
        sa.CheckConstraint("sha256 ~ '^[0-9a-f]{64}$'", name="sha256_hex"),
    )

    company_id: UUID = Field(foreign_key="company.id", index=True, ondelete="RESTRICT")
    decision_id: UUID = Field(foreign_key="decision.id", index=True, ondelete="RESTRICT")
    # Empty while staged (the company still checks its answers); set when the objection is filed.
    objection_id: UUID | None = Field(default=None, foreign_key="objection.id", index=True, ondelete="RESTRICT")
    filename: str = Field(max_length=120)
    media_type: str = Field(max_length=40)
    size_bytes: int
    sha256: str = Field(max_length=64)
    content: bytes = Field(sa_type=sa.LargeBinary)
    uploaded_by: UUID = Field(foreign_key="principal.id", ondelete="RESTRICT")
    created_at: datetime = timestamp_field(default_now=True)
