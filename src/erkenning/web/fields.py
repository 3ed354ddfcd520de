"""Form fields for the identifiers people type (a company's numbers, a crebo code), worded once.

Pages take them as they are or renamed: `replace(KVK_NUMBER, name="company_kvk_number")`.
"""

from __future__ import annotations

from erkenning.web.forms import Field

KVK_NUMBER = Field(
    "kvk_number", "KvK-nummer", required=False, inputmode="numeric", width="s", autocomplete="off",
    invalid="Een KvK-nummer bestaat uit precies 8 cijfers, bijvoorbeeld 12345678.",
)
ESTABLISHMENT_NUMBER = Field(
    "establishment_number", "Vestigingsnummer", required=False, inputmode="numeric", width="m", autocomplete="off",
    invalid="Een vestigingsnummer bestaat uit precies 12 cijfers.",
)
SBB_ID = Field(
    "sbb_id", "Leerbedrijf-ID", required=False, inputmode="numeric", width="m", autocomplete="off",
    invalid="Een leerbedrijf-ID bestaat uit hoogstens 12 cijfers.",
)
# Where the register takes either: an SBB company id, or a 12-digit establishment number.
COMPANY_KEY = Field(
    "company", "Leerbedrijf-ID of vestigingsnummer", width="m", inputmode="numeric", autocomplete="off",
    missing="Vul het leerbedrijf-ID of het vestigingsnummer in.",
    invalid="Een leerbedrijf-ID bestaat uit hoogstens 12 cijfers, een vestigingsnummer uit precies 12.",
)
CREBO = Field(
    "crebo", "Crebo-code", required=False, width="s", inputmode="numeric", autocomplete="off",
    hint="5 cijfers, bijvoorbeeld 25180.", missing="Vul de crebo-code in.",
    invalid="Een crebo-code bestaat uit precies 5 cijfers, bijvoorbeeld 25180.",
)
