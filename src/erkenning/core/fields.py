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


# White space exactly as Python's `str.isspace()` and `str.strip()` see it, as escapes for a regular
# expression's class (Python's `re`, pydantic's Rust engine and ECMA-262 all read them alike). Patterns in the
# API document use `[{SPACE}]` and `[^{SPACE}]` rather than `\s` and `\S`, whose meaning differs between
# those engines and the generators of test data (Hypothesis counts U+001C–U+001F as no white space).
SPACE = r"\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# What a shape with `str_strip_whitespace` removes from a string's ends: pydantic's Rust core trims Unicode
# White_Space, which leaves U+001C–U+001F (Python's `str.strip()` would take them too).
TRIMMED = r"\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
