"""A real OpenID provider for local runs and tests: `provider.mjs` (the certified `oidc-provider` from npm)
under Node, with the demo staff as accounts. `erkenning dev` starts it; so does the tests' session fixture.

    provider = DevProvider(redirect_base="http://127.0.0.1:8000").start()
    settings = settings.model_copy(update=provider.settings())
    ...
    provider.stop()
"""

from __future__ import annotations

import json
import secrets
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from erkenning.devtools.embedded import end_process, free_port, port_answers

SCRIPT = Path(__file__).with_name("provider.mjs")
ROOT = Path(__file__).resolve().parents[4]
PACKAGE = ROOT / "node_modules" / "oidc-provider"
PASSWORD = "demo"
ROLE_CLAIM = "roles"
# Claim values as an Entra ID tenant would send app roles, and the roles they map to (OIDC_ROLE_MAP).
ROLE_MAP = {
    "Erkenning.Adviseur": "adviser",
    "Erkenning.SeniorAdviseur": "senior_adviser",
    "Erkenning.Beheerder": "admin",
}


@dataclass(frozen=True)
class DevAccount:
    """A person at the demo provider: `login` and the password `demo` sign in; `sub` is the stable id."""

    sub: str
    login: str
    name: str
    email: str
    roles: tuple[str, ...]


# The demo staff of `devtools.demo` (same keys as `sub`), and one colleague without a role in erkenning.
ACCOUNTS = (
    DevAccount("admin", "joost", "Joost Bakker", "joost.bakker@sbb.example", ("Erkenning.Beheerder",)),
    DevAccount("senior", "fatima", "Fatima el Amrani", "fatima.elamrani@sbb.example", ("Erkenning.SeniorAdviseur",)),
    DevAccount("senior2", "pieter", "Pieter de Vries", "pieter.devries@sbb.example", ("Erkenning.SeniorAdviseur",)),
    DevAccount("adviser", "sanne", "Sanne Jansen", "sanne.jansen@sbb.example", ("Erkenning.Adviseur",)),
    DevAccount("guest", "gast", "Gast Medewerker", "gast@sbb.example", ("Medewerker",)),
)


class ProviderUnavailable(RuntimeError):
    """Node or the `oidc-provider` package is missing (`npm ci` installs it)."""


def unavailable_reason() -> str | None:
    """Why the dev provider cannot run here, or None."""
    if shutil.which("node") is None:
        return "Node.js is not installed (apt-get install nodejs npm)"
    if not PACKAGE.exists():
        return f"{PACKAGE} is missing: run `npm ci` (make browser-deps)"
    return None


@dataclass
class DevProvider:
    """The provider on 127.0.0.1:`port`, for a relying party at `redirect_base` (its PUBLIC_BASE_URL)."""

    redirect_base: str
    port: int = field(default_factory=free_port)
    client_id: str = "erkenning-dev"
    client_secret: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    accounts: tuple[DevAccount, ...] = ACCOUNTS
    log_path: Path | None = None
    _proc: subprocess.Popen[bytes] | None = None
    _config: Path | None = None

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def settings(self) -> dict[str, Any]:
        """The relying party's settings for this provider (as `Settings` fields)."""
        return {
            "oidc_issuer": self.issuer,
            "oidc_client_id": self.client_id,
            "oidc_client_secret": self.client_secret,
            "oidc_scopes": f"openid profile email {ROLE_CLAIM}",
            "oidc_role_claim": ROLE_CLAIM,
            "oidc_role_map": dict(ROLE_MAP),
        }

    def environment(self) -> dict[str, str]:
        """The same as environment variables (for a server in a process of its own)."""
        return {
            key.upper(): json.dumps(value) if isinstance(value, dict) else str(value)
            for key, value in self.settings().items()
        }

    def start(self, timeout: float = 30) -> DevProvider:
        reason = unavailable_reason()
        if reason is not None:
            raise ProviderUnavailable(reason)
        base = self.redirect_base.rstrip("/")
        config = {
            "port": self.port, "issuer": self.issuer, "client_id": self.client_id, "client_secret": self.client_secret,
            "redirect_uris": [f"{base}/inloggen/sso/terug"], "post_logout_redirect_uris": [f"{base}/inloggen"],
            "password": PASSWORD, "role_claim": ROLE_CLAIM,
            "accounts": [
                {"sub": a.sub, "login": a.login, "name": a.name, "email": a.email, "roles": list(a.roles)}
                for a in self.accounts
            ],
        }
        handle = tempfile.NamedTemporaryFile("w", suffix=".json", prefix="erkenning-oidc-", delete=False)
        with handle:
            json.dump(config, handle)
        self._config = Path(handle.name)
        if self.log_path:  # under .data/, which a run against configured servers has not made yet
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
        output = self.log_path.open("ab") if self.log_path else subprocess.DEVNULL
        self._proc = subprocess.Popen(
            ["node", str(SCRIPT), str(self._config)], cwd=ROOT, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches us, not it: we stop it in order
        )
        deadline = time.monotonic() + timeout
        while not port_answers("127.0.0.1", self.port, 0.2):
            if self._proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise ProviderUnavailable(f"the OpenID provider did not start (log: {self.log_path})")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        if self._proc is not None:
            end_process(self._proc)
            self._proc = None
        if self._config is not None:
            self._config.unlink(missing_ok=True)
            self._config = None
