"""One signature scheme for webhooks, those SBB receives and those it sends.

`sign(secret, timestamp, body)` is `sha256=<hex HMAC-SHA256(secret, "<timestamp>." + body)>`; the
timestamp (Unix seconds) travels in a header of its own, so a receiver can refuse old (replayed)
calls; compare signatures with `hmac.compare_digest`.
"""

from __future__ import annotations

import hashlib
import hmac


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"
