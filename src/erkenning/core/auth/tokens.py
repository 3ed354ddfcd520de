"""Token material: generation and keyed hashing (the only place that sees a plaintext token)."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

TOKEN_PREFIX = "erk_"
# 32 random bytes = 256 bits of entropy, url-safe base64 (43 chars).
_TOKEN_RE = re.compile(r"^erk_[A-Za-z0-9_-]{43}$")


def generate() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def is_well_formed(token: str) -> bool:
    return bool(_TOKEN_RE.fullmatch(token))


def hash_token(token: str, pepper: str) -> str:
    """HMAC-SHA256 under the server's pepper: a leaked table alone does not allow offline guessing."""
    return hmac.new(pepper.encode(), token.encode(), hashlib.sha256).hexdigest()


def display_prefix(token: str) -> str:
    return token[: len(TOKEN_PREFIX) + 6]
