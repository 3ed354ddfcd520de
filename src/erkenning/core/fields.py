"""Input field types shared by the domains' API shapes.

`Boolean`: only JSON `true` or `false`. Litestar validates request bodies with `strict=False`, which
overrides pydantic's own `StrictBool` and would read `0`, `1` or `"yes"` as a boolean where the API
document declares `type: boolean`; a validator that runs before pydantic's own holds the line.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator


def _json_boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


Boolean = Annotated[bool, BeforeValidator(_json_boolean)]
