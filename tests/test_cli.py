"""The `erkenning` command, run as a real subprocess against the test database."""

import re

from erkenning.settings import Settings
from tests.helpers import run_cli


async def test_token_create_list_revoke(settings: Settings, client) -> None:
    code, out = await run_cli(settings, "token", "create", "--name", "Adviseur CLI", "--role", "adviser")
    assert code == 0, out
    token = out.strip().splitlines()[-1]
    token_id = re.search(r"token ([0-9a-f-]{36})", out).group(1)
    assert (await client.get("/api/v1/backoffice/admin/tokens",
                             headers={"Authorization": f"Bearer {token}"})).status_code == 403  # valid, not admin

    code, out = await run_cli(settings, "token", "list")
    assert code == 0 and token_id in out and token not in out

    code, out = await run_cli(settings, "token", "revoke", token_id)
    assert code == 0, out
    response = await client.get("/api/v1/backoffice/admin/tokens", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


async def test_token_create_refuses_a_company_token_without_company(settings: Settings) -> None:
    code, out = await run_cli(settings, "token", "create", "--name", "X", "--role", "company")
    assert code == 1
    assert "company_id" in out and "Traceback" not in out
