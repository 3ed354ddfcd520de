"""A flat HTML form over a schema with nested parts (a report's `company` and `confidential` parts).

Fields of a group are named `<group>_<field>` in the form (`company_kvk_number`); the schema gets
`{"company": {"kvk_number": ...}}`. An error on a nested field lands on its flat field; an error on
the group as a whole (for example "name the company") lands on the group's first field, in the
words the page gives for it.

    payload = validate_grouped(form, SchoolReportCreate, {"company": COMPANY_NAMES, "confidential": ...},
                               whole={"company": "Vul ten minste één gegeven van het bedrijf in."})
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from erkenning.web.forms import Form

M = TypeVar("M", bound=BaseModel)


def grouped_payload(form: Form, groups: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """The form's payload with each group's fields gathered under the group (empty fields left out)."""
    flat = form.payload()
    data: dict[str, Any] = {}
    in_group = {name for names in groups.values() for name in names}
    for name, value in flat.items():
        if name not in in_group:
            data[name] = value
    for group, names in groups.items():
        part = {name.removeprefix(f"{group}_"): flat[name] for name in names if flat.get(name) is not None}
        data[group] = part
    return data


def validate_grouped(
    form: Form,
    schema: type[M],
    groups: Mapping[str, Sequence[str]],
    *,
    whole: Mapping[str, str],
    optional: Sequence[str] = (),
) -> M | None:
    """The schema's verdict on the grouped values, or None with every error on a field of the form.

    `whole` says, per group, what to say when the group as a whole is wrong; `optional` groups that
    were left empty are sent as None (nothing given) rather than as an empty part.
    """
    data = grouped_payload(form, groups)
    for group in optional:
        if not data[group]:
            data[group] = None
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        errors = []
        for error in exc.errors():
            loc = tuple(str(part) for part in error.get("loc", ()))
            if loc and loc[0] in groups:
                if len(loc) == 1 or loc[1] not in {n.removeprefix(f"{loc[0]}_") for n in groups[loc[0]]}:
                    form.error(groups[loc[0]][0], whole[loc[0]])
                    continue
                loc = (f"{loc[0]}_{loc[1]}", *loc[2:])
            errors.append({**error, "loc": loc})
        form.add_errors(errors)
        return None
