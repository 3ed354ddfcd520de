"""The `erkenning` command, run as a real subprocess against the test database."""

import re
from pathlib import Path

from erkenning.core.settings import Settings
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


def test_the_demo_keeps_its_e_mails_in_a_maildir(tmp_path: Path) -> None:
    """`erkenning dev` without an SMTP server: a local one keeps each message, readable as a file."""
    import mailbox
    import smtplib
    from email.message import EmailMessage

    from erkenning.cli.dev import mail_sink
    from erkenning.devtools.embedded import free_port

    port = free_port()
    sink = mail_sink(tmp_path / "mail", "127.0.0.1", port)
    assert sink is not None
    try:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = "noreply@sbb.example", "info@bedrijf.example", "Besluit"
        message.set_content("Uw erkenning is gewijzigd.")
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            smtp.send_message(message)
    finally:
        sink.stop()
    kept = list(mailbox.Maildir(tmp_path / "mail", create=False))
    assert [(m["To"], m["Subject"]) for m in kept] == [("info@bedrijf.example", "Besluit")]


def test_the_mail_catcher_takes_a_free_port_when_the_default_is_taken(tmp_path: Path) -> None:
    """Port taken by something else: the catcher listens elsewhere and says where; a configured SMTP_PORT is kept."""
    import smtplib
    import socket

    from erkenning.cli.dev import mail_catcher

    with socket.socket() as occupant:
        occupant.bind(("127.0.0.1", 0))
        occupant.listen()
        taken = occupant.getsockname()[1]

        kept, port = mail_catcher(tmp_path / "own", "127.0.0.1", taken, configured=True)
        assert kept is None and port == taken

        sink, port = mail_catcher(tmp_path / "mail", "127.0.0.1", taken, configured=False)
        assert sink is not None and port != taken
        try:
            with smtplib.SMTP("127.0.0.1", port) as smtp:
                smtp.sendmail("noreply@sbb.example", ["info@bedrijf.example"], b"Subject: Besluit\r\n\r\nTekst")
        finally:
            sink.stop()
    assert len(list((tmp_path / "mail" / "new").iterdir())) == 1


def test_the_demo_banner_says_who_each_token_is() -> None:
    from erkenning.devtools import demo

    lines = {account.key: demo.who(account) for account in demo.ACCOUNTS}
    assert lines["company"] == "Bakkerij De Korenschoof (company, KvK 12345678) <info@korenschoof.example>"
    assert lines["school"] == f"ROC Demo, meldpunt (school, BRIN {demo.DEMO_SCHOOL_BRIN}) <meldpunt@rocdemo.example>"
    assert lines["adviser"] == "Sanne Jansen (adviser) <sanne.jansen@sbb.example>"
    assert all(account.email.endswith(".example") for account in demo.ACCOUNTS)
