"""A school checks companies in the register: one company for a qualification, pathway and date, or a
whole CSV file at once (the answers come back as a CSV file). The register's own services and limits."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.connection import ASGIConnection
from litestar.datastructures import UploadFile
from litestar.handlers.base import BaseRouteHandler
from litestar.params import QueryParameter
from litestar.response import Template

from erkenning import vocabulary
from erkenning.core import clock
from erkenning.core.caller import Role
from erkenning.http.dependencies import RuntimeDep
from erkenning.http.guards import requires
from erkenning.register import batch_csv
from erkenning.register.quota import batch_quota
from erkenning.register.services import lookup as register
from erkenning.vocabulary import RECOGNITION_STATUSES, number
from erkenning.web import nav
from erkenning.web.forms import Field, Form
from erkenning.web.pages.start import start_section
from erkenning.web.rendering import page

SCHOOL = {Role.SCHOOL}
Text = Annotated[str | None, QueryParameter(max_length=100)]
SHOWN_LINE_ERRORS = 50

nav.add("Register", "/register", SCHOOL, order=20)
nav.add("Controleren", "/school/controleren", SCHOOL, order=21)
nav.add("Bestand controleren", "/school/bestand", SCHOOL, order=22)

BATCH_FIELDS = (
    Field("bestand", "CSV-bestand", kind="file",
          hint="Eén regel per controle. De eerste regel noemt de kolommen: leerbedrijf, crebo, leerweg en eventueel "
               "datum.",
          missing="Kies een CSV-bestand."),
)

_PROBLEMS = {
    ("company", "missing"): "Vul het leerbedrijf-ID of het vestigingsnummer in.",
    ("company", "invalid"): "Een leerbedrijf-ID bestaat uit hoogstens 12 cijfers, een vestigingsnummer uit precies 12.",
    ("crebo", "missing"): "Vul de crebo-code in.",
    ("crebo", "invalid"): "Een crebo-code bestaat uit precies 5 cijfers.",
    ("pathway", "missing"): "Vul de leerweg in: bol of bbl.",
    ("pathway", "invalid"): "De leerweg is bol of bbl.",
    ("date", "invalid"): "Vul een datum in zoals 2025-09-01 of 01-09-2025, of laat het leeg voor vandaag.",
}


async def batch_limit(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """A file counts as a batch, as `POST /verify/batch` does."""
    await batch_quota(connection)


def problem_text(error: batch_csv.LineError, most: int) -> str:
    """A problem with an uploaded file in Dutch."""
    if error.problem == "no_column":
        return f"De eerste regel noemt de kolom {column_name(error.column)} niet."
    if error.problem == "too_many":
        return f"Het bestand heeft meer dan {number(most)} regels. Controleer hoogstens {number(most)} regels per keer."
    if error.problem == "empty":
        return "Het bestand bevat geen regels om te controleren."
    return _PROBLEMS.get((error.column or "", error.problem), "Deze regel kan niet worden gelezen.")


def column_name(column: str | None) -> str:
    """A column of the file by its Dutch name (the English names are taken too, but the page speaks Dutch)."""
    return vocabulary.BATCH_CSV_COLUMNS.get(column or "", column or "–")


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:  # a spreadsheet's own encoding; the columns are digits and codes anyway
        return raw.decode("cp1252", errors="replace")


@start_section("Bedrijf controleren", "school/_start.html", SCHOOL, order=10)
async def school_start() -> dict[str, Any]:
    return {"pathways": vocabulary.PATHWAY_OPTIONS}


class SchoolVerifyPages(Controller):
    """Een school controleert een bestand met leerbedrijven (één bedrijf: `web.pages.verify`)."""

    path = "/school"
    guards = [requires(Role.SCHOOL)]

    @get("/bestand", name="school_batch")
    async def batch_form(self, request: Request[Any, Any, Any], runtime: RuntimeDep) -> Template:
        return page(request, "school/batch.html", title="Een bestand controleren", form=Form(BATCH_FIELDS),
                    line_errors=[], most=runtime.settings.register_batch_max_items)

    @post("/bestand", guards=[batch_limit])
    async def batch(self, request: Request[Any, Any, Any], runtime: RuntimeDep) -> Template | Response[str]:
        most = runtime.settings.register_batch_max_items
        form = Form(BATCH_FIELDS)
        upload = (await request.form()).get("bestand")
        line_errors: list[tuple[batch_csv.LineError, str, str]] = []
        if not isinstance(upload, UploadFile) or not upload.filename:
            form.error("bestand", BATCH_FIELDS[0].missing_message())
        else:
            parsed = batch_csv.parse(_decode(await upload.read()), max_items=most)
            if not parsed.errors:
                found = await register.verify_batch(runtime, parsed.items)
                body = batch_csv.answers(
                    parsed.lines, found, delimiter=parsed.delimiter,
                    words={s.value: word for s, (word, _) in RECOGNITION_STATUSES.items()},
                    yes="ja", no="nee", unknown="geen erkenning", header=vocabulary.BATCH_CSV_COLUMNS,
                )
                name = f"erkenningen-{clock.today().isoformat()}.csv"
                return Response(body, status_code=200, media_type="text/csv; charset=utf-8",
                                headers={"Content-Disposition": f'attachment; filename="{name}"',
                                         "Cache-Control": "no-store"})
            line_errors = [(e, column_name(e.column), problem_text(e, most)) for e in parsed.errors]
            form.error("bestand", _summary(parsed.errors, line_errors[0][2]))
        return page(request, "school/batch.html", title="Een bestand controleren", form=form,
                    line_errors=line_errors[:SHOWN_LINE_ERRORS],
                    more_errors=max(len(line_errors) - SHOWN_LINE_ERRORS, 0),
                    most=most, status_code=422)


def _summary(errors: list[batch_csv.LineError], first: str) -> str:
    lines = {e.line for e in errors if e.problem in ("missing", "invalid")}
    if not lines:
        return first
    which = "1 regel" if len(lines) == 1 else f"{number(len(lines))} regels"
    return f"Er staan fouten in {which} van het bestand. Verbeter ze en stuur het bestand opnieuw."
