"""HTML forms over the services' own input schemas: the rules stay in the schema, the words here.

A page declares its fields (label, hint, Dutch messages), takes the posted strings, and lets the
service's pydantic schema judge them. Each error lands on its field in Dutch, the entered values
stay in the form, and the error summary at the top links to every field in error.

    form = Form(COMPANY_FIELDS, posted)
    data = form.validate(CompanyCreate)          # None if there were errors
    if data is not None:
        try:
            company = await companies.create(data, caller)
        except DuplicateEstablishment:
            form.error("establishment_number", "Er is al een bedrijf met dit vestigingsnummer.")
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from erkenning.core.errors import ValidationFailed

M = TypeVar("M", bound=BaseModel)

# Radio buttons (one value), checkboxes (a list of values), a single checkbox (a yes/no).
CHOICE_KINDS = frozenset({"radios", "checkboxes", "checkbox"})
CHECKED = "ja"  # the value a single checkbox sends


@dataclass(frozen=True)
class When:
    """Fields that apply only when the choice `field` holds one of `values`; `legend` says so.

    Consecutive fields with the same `When` are drawn as one fieldset that the page's script hides while
    another option is chosen (without script every fieldset shows, with its legend); the server reads only
    the fields that apply, so a value left in a hidden field is never taken.
    """

    field: str
    values: tuple[str, ...]
    legend: str


@dataclass(frozen=True)
class Field:
    """One form field: what it is called, how to fill it in, and what to say when it is wrong."""

    name: str
    label: str
    hint: str | None = None
    required: bool = True
    kind: str = "text"  # text, email, select, password, hidden, textarea, date, number, or a CHOICE_KIND
    options: tuple[tuple[str, str], ...] = ()  # (value, label) for a select, radios or checkboxes
    missing: str | None = None  # "Vul … in." (default from the label)
    invalid: str | None = None  # what a wrong value needs; default by error type
    autocomplete: str | None = None
    inputmode: str | None = None
    width: str | None = None  # a CSS width class: "xs", "s", "m", "l"
    readonly: bool = False
    # Tells apart fields of the same name in two forms on one page (ids must be unique on a page).
    form_id: str | None = None
    # Only for some options of a choice in the same form; `required` then means "required for those".
    when: When | None = None

    @property
    def id(self) -> str:
        prefix = f"veld-{self.form_id}-" if self.form_id else "veld-"
        return prefix + self.name.replace("_", "-")

    @property
    def is_choice(self) -> bool:
        return self.kind in CHOICE_KINDS

    def missing_message(self) -> str:
        if self.missing:
            return self.missing
        if self.kind in ("select", "radios", "checkboxes"):
            return f"Kies {self.label[:1].lower()}{self.label[1:]}."
        return f"Vul {self.label[:1].lower()}{self.label[1:]} in."


def _message(spec: Field, error: Mapping[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return spec.missing_message()
    if kind == "string_too_short" and ctx.get("min_length") == 1:
        return spec.missing_message()
    if spec.invalid:
        return spec.invalid
    if kind == "string_too_long":
        return f"{spec.label} mag hoogstens {ctx.get('max_length')} tekens lang zijn."
    if kind == "enum" or spec.kind in ("select", "radios", "checkboxes"):
        return f"Kies een {spec.label[:1].lower()}{spec.label[1:]}."
    return f"Controleer {spec.label[:1].lower()}{spec.label[1:]}."


@dataclass(init=False)
class Form:
    """Fields, the values as entered, and errors by field name (in the order of the fields)."""

    fields: tuple[Field, ...]
    values: dict[str, str]
    errors: dict[str, str]
    message: str | None  # an error that belongs to no single field

    def __init__(
        self,
        fields: tuple[Field, ...],
        values: Mapping[str, str | list[str]] | None = None,
        errors: dict[str, str] | None = None,
        message: str | None = None,
    ) -> None:
        self.fields = fields
        self.errors = {} if errors is None else errors
        self.message = message
        given: Mapping[str, Any] = values or {}
        # A checkbox group sends its name once per ticked box; every other field is one string.
        self.lists: dict[str, list[str]] = {
            f.name: _as_list(given.get(f.name)) for f in self.fields if f.kind == "checkboxes"
        }
        self.values = {f.name: _as_text(given.get(f.name)) for f in self.fields if f.kind != "checkboxes"}
        self._by_name = {f.name: f for f in self.fields}

    @classmethod
    def from_object(cls, fields: tuple[Field, ...], obj: Any) -> Form:
        """A form filled in from an existing row (for an edit page)."""
        values: dict[str, Any] = {}
        for spec in fields:
            value = getattr(obj, spec.name, None)
            if spec.kind == "checkboxes":
                values[spec.name] = [str(getattr(v, "value", v)) for v in value or ()]
            elif spec.kind == "checkbox":
                values[spec.name] = CHECKED if value else ""
            else:
                values[spec.name] = "" if value is None else str(getattr(value, "value", value))
        return cls(fields, values)

    def __getitem__(self, name: str) -> Field:
        return self._by_name[name]

    @property
    def has_errors(self) -> bool:
        return bool(self.errors or self.message)

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def chosen(self, name: str) -> list[str]:
        """The ticked values of a checkbox group."""
        return self.lists.get(name, [])

    def applies(self, spec: Field) -> bool:
        """Whether the field applies to the option chosen (always, for a field without `when`)."""
        return spec.when is None or self.values.get(spec.when.field, "") in spec.when.values

    def groups(self) -> list[tuple[When | None, list[Field]]]:
        """The fields in order, consecutive fields of the same `when` together (a fieldset each)."""
        grouped: list[tuple[When | None, list[Field]]] = []
        for spec in self.fields:
            if grouped and grouped[-1][0] == spec.when:
                grouped[-1][1].append(spec)
            else:
                grouped.append((spec.when, [spec]))
        return grouped

    def payload(self, names: Iterable[str] | None = None) -> dict[str, Any]:
        """What to validate: stripped values; an empty optional field means "none"."""
        data: dict[str, Any] = {}
        for spec in self.fields:
            if spec.readonly or (names is not None and spec.name not in names) or not self.applies(spec):
                continue
            if spec.kind == "checkboxes":
                data[spec.name] = list(self.lists[spec.name])
                continue
            if spec.kind == "checkbox":
                data[spec.name] = self.values[spec.name] == CHECKED
                continue
            value = self.values[spec.name].strip()
            # A field required only for some options is "none" when empty: the option's own rules say it is missing.
            data[spec.name] = None if value == "" and (not spec.required or spec.when is not None) else value
        return data

    def validate(
        self,
        schema: type[M],
        *,
        only: Iterable[str] | None = None,
        known: Mapping[str, tuple[str, str]] | None = None,
        **extra: Any,
    ) -> M | None:
        """The schema's verdict on the entered values (plus `extra`), or None with the errors recorded.

        `only` names the fields the schema takes (when the form holds more); `known` puts an error of
        the whole schema (a model validator's) on a field in Dutch: a part of its English message ->
        (field name, Dutch message).
        """
        if self._refuse_nul():
            return None
        try:
            return schema.model_validate({**self.payload(only), **extra})
        except ValidationError as exc:
            self.add_errors(exc.errors(), known=known)
            return None

    def _refuse_nul(self) -> bool:
        """PostgreSQL cannot store a NUL character: name each field that holds one, as any other error."""
        for spec in self.fields:
            entered = [self.values.get(spec.name, ""), *self.lists.get(spec.name, [])]
            if any("\x00" in value for value in entered):
                self.error(spec.name, f"{spec.label} bevat een teken dat niet is toegestaan.")
                if spec.name in self.values:  # shown again with a visible replacement character
                    self.values[spec.name] = self.values[spec.name].replace("\x00", "\ufffd")
        return self.has_errors

    def add_errors(
        self, errors: Iterable[Mapping[str, Any]], *, known: Mapping[str, tuple[str, str]] | None = None
    ) -> None:
        """Pydantic errors, or a service's ValidationFailed errors ({"field", "message"})."""
        for error in errors:
            loc = error.get("loc") or (error.get("field"),)
            name = str(loc[0]) if loc else ""
            spec = self._by_name.get(name)
            text = str(error.get("msg") or error.get("message") or "")
            translated = next((found for part, found in (known or {}).items() if part in text), None)
            if translated is not None and translated[0] in self._by_name:
                self.error(*translated)
                continue
            if spec is None:
                self.message = self.message or "Het formulier kon niet worden verwerkt. Controleer de gegevens."
                continue
            entered = self.values.get(name, "").strip() or ",".join(self.lists.get(name, []))
            self.error(name, spec.missing_message() if spec.required and not entered else _message(spec, error))
        self.errors = {f.name: self.errors[f.name] for f in self.fields if f.name in self.errors}

    def add_validation_failed(self, exc: ValidationFailed) -> None:
        self.add_errors(exc.extra.get("errors", []))


def _as_text(value: Any) -> str:
    if isinstance(value, list):  # a repeated name: the last one counts, as in a browser's own forms
        value = value[-1] if value else ""
    return str(value or "")


def _as_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]
