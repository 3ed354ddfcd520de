"""What the pages are given by name, as the API's routes are: every domain's services and the directory.

The same providers as the JSON controllers (each domain declares them once), so a page and an API route
build a service the same way, on the request's session.
"""

from __future__ import annotations

from collections.abc import Mapping

from litestar.di import Provide

from erkenning.admin import contacts, tokens
from erkenning.companies import controllers as companies
from erkenning.core.auth.links import SignInLinkService
from erkenning.core.auth.staff_sign_in import StaffSignInService
from erkenning.http.dependencies import provide
from erkenning.recognition import controllers as recognition
from erkenning.register import controllers as register
from erkenning.reports import controllers as reports
from erkenning.reports import structure_controllers as reporting_structure
from erkenning.training import controllers as training
from erkenning.web.staff import provide_directory
from erkenning.workflows import controllers as workflows


def _merged(*mappings: Mapping[str, Provide]) -> dict[str, Provide]:
    merged: dict[str, Provide] = {}
    for mapping in mappings:
        if clash := merged.keys() & mapping.keys():
            raise ValueError(f"two providers named {sorted(clash)}")
        merged.update(mapping)
    return merged


PROVIDERS = _merged(
    tokens.PROVIDERS,
    contacts.PROVIDERS,
    {"staff_sign_in": provide(StaffSignInService), "sign_in_links": provide(SignInLinkService)},
    companies.PROVIDERS,
    recognition.PROVIDERS,
    register.PROVIDERS,
    reports.PROVIDERS,
    reporting_structure.PROVIDERS,
    training.PROVIDERS,
    workflows.PROVIDERS,
    {"directory": Provide(provide_directory)},
)
