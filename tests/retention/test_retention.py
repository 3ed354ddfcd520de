"""Retention: with the clock moved past each term, exactly the due records are erased and ledgered,
nothing else changes, and a second run erases nothing more."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import sqlalchemy as sa

from erkenning.companies.models import Company
from erkenning.core import clock
from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from erkenning.core.settings import Settings
from erkenning.recognition.tasks import finalise_decisions
from erkenning.retention.tasks import erase_due
from tests.factories import (
    Principal,
    TokenFactory,
    adviser_report,
    build_world,
    confidential,
    facts,
    make_company,
    open_case,
)
from tests.helpers import CASES, HEARINGS, PUBLIC_REPORTS, REPORTS, act, drain_queue, respond_approve_send, step

# What a retention run may change: the erased rows, the report's stamp and receipt, the ledger, the audit trail.
CHANGED_BY_RETENTION = {"report_confidential", "report", "retention_erasure", "audit_event", "reporter_reaction"}


async def _snapshot(runtime: Runtime) -> dict[str, list[str]]:
    """Every row of every table, as text; the report without the two columns retention may set."""
    async with runtime.engine.connect() as conn:
        names = await conn.run_sync(lambda c: sa.inspect(c).get_table_names())
        rows = {}
        for name in sorted(set(names) - CHANGED_BY_RETENTION):
            rows[name] = list((await conn.execute(sa.text(f'SELECT t::text FROM "{name}" t ORDER BY 1'))).scalars())
        rows["report"] = list((await conn.execute(sa.text(
            "SELECT (to_jsonb(t) - 'confidential_erased_at' - 'receipt_hash')::text FROM report t ORDER BY 1"
        ))).scalars())
        rows["audit_event"] = list((await conn.execute(sa.text(
            "SELECT t::text FROM audit_event t ORDER BY seq"
        ))).scalars())
    return rows


async def _confidential_ids(runtime: Runtime) -> set[str]:
    async with runtime.engine.connect() as conn:
        return {str(r) for r in (await conn.execute(sa.text("SELECT report_id FROM report_confidential"))).scalars()}


async def _ledger(runtime: Runtime) -> list[tuple[str, str, str]]:
    async with runtime.engine.connect() as conn:
        rows = await conn.execute(sa.text("SELECT kind, record_id, rule FROM retention_erasure ORDER BY 2, 1"))
        return [(k, str(r), rule) for k, r, rule in rows.all()]


async def _run(runtime: Runtime) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """One retention run through the worker's cron function; the snapshots before and after."""
    before = await _snapshot(runtime)
    await erase_due({"runtime": runtime})
    return before, await _snapshot(runtime)


ERASED = ("report.confidential_erased", "report.receipt_erased", "report.reactions_erased")


def _only_retention_changed(before: dict[str, list[str]], after: dict[str, list[str]], erasures: int) -> None:
    for table in before:
        if table != "audit_event":
            assert after[table] == before[table], f"retention changed {table}"
    # The audit trail only grows, by one row per erasure; no earlier row changed.
    assert after["audit_event"][: len(before["audit_event"])] == before["audit_event"]
    new = after["audit_event"][len(before["audit_event"]):]
    assert len(new) == erasures
    assert all(any(action in row for action in ERASED) for row in new)


async def _triaged(client: httpx.AsyncClient, adviser: Principal, action: str, body: dict[str, Any],
                   report: dict[str, Any] | None = None) -> str:
    if report is None:
        report = await adviser_report(
            client, adviser, {**facts(None), "channel": "phone", "confidential": confidential("r")}
        )
    report_id = str(report["id"])
    assert (await act(client, adviser, report_id, "assign", {"adviser_id": str(adviser.id)})).status_code == 200
    assert (await act(client, adviser, report_id, "start-triage")).status_code == 200
    done = await act(client, adviser, report_id, action, body)
    assert done.status_code == 200, done.text
    return report_id


async def test_each_term_erases_exactly_what_is_due_once(
    client: httpx.AsyncClient, runtime: Runtime, settings: Settings, tokens: TokenFactory,
) -> None:
    world = await build_world(runtime, tokens)
    adviser, approver = world.adviser, world.senior2
    reason = {"reason": "Past niet bij SBB"}

    # A: anonymous, not substantiated (its confidential part and its receipt fall due a year after triage).
    sent = await client.post(PUBLIC_REPORTS, json={**facts(None), "confidential": {"narrative": "Mijn verhaal"}})
    receipt = sent.json()["receipt"]
    listed = (await client.get(REPORTS, headers=adviser.headers)).json()["items"]
    anonymous = await _triaged(client, adviser, "mark-not-substantiated", reason, listed[0])
    # B: referred.
    referred = await _triaged(client, adviser, "refer", {**reason, "referred_to": "police"})
    # D: never triaged — never due.
    untriaged = str((await adviser_report(
        client, adviser, {**facts(None), "channel": "phone", "confidential": confidential("d")}))["id"])

    # C: a case closed as unfounded (no decision): due five years after it closed.
    unfounded_company = await make_company(runtime)
    case_c = await open_case(client, runtime, settings, adviser, unfounded_company)
    assert (await step(client, adviser, case_c, "assessment", {"reason": "Geen hoor nodig"})).status_code == 200
    assert (await step(client, adviser, case_c, "proposal", {"outcome": "unfounded", "findings": "Niet aangetoond"})
            ).status_code == 200
    assert (await step(client, approver, case_c, "approve")).status_code == 200

    # F: a case ending in a suspension decision: due five years after that decision became final.
    recognition_id = await world.granted("25180", on=clock.today() - timedelta(days=400))
    async with runtime.session_factory() as session:
        suspended_company = await session.get(Company, world.company_id)
    case_f = await open_case(client, runtime, settings, adviser, suspended_company)
    assert (await step(client, adviser, case_f, "hearing", {"question": "Uw kant?"})).status_code == 200
    assert (await client.post(f"{HEARINGS}/{case_f}/answer", json={"answer": "Zo was het niet."},
                              headers=world.company.headers)).status_code == 200
    proposal = {"outcome": "suspension", "findings": "Aannemelijk", "recognition_ids": [str(recognition_id)],
                "effective_from": (clock.today() + timedelta(days=14)).isoformat(),
                "placements_until": (clock.today() + timedelta(days=60)).isoformat()}
    assert (await step(client, adviser, case_f, "proposal", proposal)).status_code == 200
    assert (await step(client, approver, case_f, "approve")).status_code == 200

    # E: a case still open — never due.
    open_company = await make_company(runtime)
    case_e = await open_case(client, runtime, settings, adviser, open_company)
    await drain_queue(settings)
    # F's measure went to the company as an intended decision: it responds, and the decision is sent today.
    f_decision = (await client.get(f"{CASES}/{case_f}", headers=adviser.headers)).json()["decision_id"]
    await respond_approve_send(client, f_decision, company=world.company, approver=approver, sender=adviser)

    cases = {}
    for case_id in (case_c, case_e, case_f):
        detail = (await client.get(f"{CASES}/{case_id}", headers=adviser.headers)).json()
        cases[case_id] = detail
    assert cases[case_c]["status"] == cases[case_f]["status"] == "closed" and cases[case_e]["status"] != "closed"
    investigated_c, investigated_e, investigated_f = (cases[c]["report_ids"][0] for c in (case_c, case_e, case_f))
    everyone = {anonymous, referred, untriaged, investigated_c, investigated_e, investigated_f}
    assert await _confidential_ids(runtime) == everyone

    # Now: nothing is due.
    before, after = await _run(runtime)
    _only_retention_changed(before, after, 0)
    assert await _ledger(runtime) == []

    # A year and a bit later: A (its part and its receipt) and B.
    with clock.travel(timedelta(days=367)):
        before, after = await _run(runtime)
        _only_retention_changed(before, after, 3)
        assert await _confidential_ids(runtime) == everyone - {anonymous, referred}
        assert await _ledger(runtime) == sorted([
            ("report_confidential", anonymous, "report.not_substantiated"),
            ("report_receipt", anonymous, "report.receipt"),
            ("report_confidential", referred, "report.referred"),
        ], key=lambda r: (r[1], r[0]))
        gone = await client.post(f"{PUBLIC_REPORTS}/status", json={"receipt": receipt})
        assert gone.status_code == 404
        # Running again erases nothing more.
        before, after = await _run(runtime)
        _only_retention_changed(before, after, 0)
        assert len(await _ledger(runtime)) == 3

    # Five years and a bit: C (closed without a decision). F's decision is sent but not final yet: it waits.
    with clock.travel(timedelta(days=5 * 366)):
        before, after = await _run(runtime)
        _only_retention_changed(before, after, 1)
        assert await _confidential_ids(runtime) == {untriaged, investigated_e, investigated_f}
        assert ("report_confidential", investigated_c, "report.investigated") in await _ledger(runtime)
        # The decision becomes final today (its objection term passed long ago)…
        await finalise_decisions({"runtime": runtime})
        async with runtime.engine.connect() as conn:
            status = (await conn.execute(sa.text("SELECT status FROM decision WHERE id = :id"),
                                         {"id": cases[case_f]["decision_id"]})).scalar_one()
        assert status == "final"

    # …so its reports fall due five years from today, not before.
    with clock.travel(timedelta(days=5 * 366 + 5 * 365)):  # a day before five years from then
        before, after = await _run(runtime)
        _only_retention_changed(before, after, 0)
    with clock.travel(timedelta(days=5 * 366 + 5 * 365 + 3)):
        before, after = await _run(runtime)
        _only_retention_changed(before, after, 1)
        assert await _confidential_ids(runtime) == {untriaged, investigated_e}
        before, after = await _run(runtime)
        _only_retention_changed(before, after, 0)
    assert len(await _ledger(runtime)) == 5

    # The reports themselves, the cases and the decisions stay; the erasure is stamped on the report.
    async with runtime.engine.connect() as conn:
        stamped = set((await conn.execute(sa.text(
            "SELECT id::text FROM report WHERE confidential_erased_at IS NOT NULL"))).scalars())
        reports = (await conn.execute(sa.text("SELECT count(*) FROM report"))).scalar_one()
    assert stamped == {anonymous, referred, investigated_c, investigated_f} and reports == 6


async def test_the_reporting_sides_reaction_is_erased_with_the_confidential_part(
    client: httpx.AsyncClient, runtime: Runtime, settings: Settings, tokens: TokenFactory,
) -> None:
    world = await build_world(runtime, tokens)
    adviser = world.adviser
    async with runtime.session_factory() as session:
        company = await session.get(Company, world.company_id)
    case_id = await open_case(client, runtime, settings, adviser, company)
    assert (await step(client, adviser, case_id, "hearing", {"question": "Uw kant?"})).status_code == 200
    assert (await client.post(f"{HEARINGS}/{case_id}/answer", json={"answer": "Het rooster."},
                              headers=world.company.headers)).status_code == 200
    asked = await step(client, adviser, case_id, "reporter-question", {"question": "Het bedrijf noemt het rooster."})
    [reaction] = asked.json()["reporter_reactions"]
    report_id = reaction["report_id"]
    recorded = await step(client, adviser, case_id, f"reporter-reactions/{report_id}", {"reaction": "Geheimtekst"})
    assert recorded.status_code == 200, recorded.text
    assert (await step(client, adviser, case_id, "proposal", {"outcome": "unfounded", "findings": "Niet aangetoond"})
            ).status_code == 200
    assert (await step(client, world.senior2, case_id, "approve")).status_code == 200
    await drain_queue(settings)

    with clock.travel(timedelta(days=5 * 366)):
        before, after = await _run(runtime)
        _only_retention_changed(before, after, 2)  # the confidential part, and the reaction
        assert await _ledger(runtime) == [("report_confidential", report_id, "report.investigated")]
        before, after = await _run(runtime)
        _only_retention_changed(before, after, 0)
    async with runtime.engine.connect() as conn:
        rows = (await conn.execute(sa.text(
            "SELECT question, reaction, reaction_erased_at IS NOT NULL FROM reporter_reaction"))).all()
    assert rows == [("Het bedrijf noemt het rooster.", None, True)]  # SBB's question stays, the reaction goes
    detail = (await client.get(f"{CASES}/{case_id}", headers=adviser.headers)).json()
    assert detail["reporter_reactions"][0]["reaction"] is None and detail["reporter_reactions"][0]["reaction_erased_at"]


async def test_the_command_line_runs_it_now(
    client: httpx.AsyncClient, runtime: Runtime, settings: Settings, tokens: TokenFactory,
) -> None:
    from tests.helpers import run_cli

    adviser = await tokens.make(Role.ADVISER)
    report_id = await _triaged(client, adviser, "mark-not-substantiated", {"reason": "Geen grond"})
    code, out = await run_cli(settings, "retention", "run")
    assert code == 0 and "erased 0" in out, out
    # (The command runs in another process, where the clock cannot be moved: date the triage back instead.)
    async with runtime.engine.begin() as conn:
        await conn.execute(sa.text("UPDATE report SET triaged_at = now() - interval '13 months' WHERE id = :id"),
                           {"id": report_id})
    code, out = await run_cli(settings, "retention", "run")
    assert code == 0 and "erased 1; report.not_substantiated: 1" in out, out
    assert await _ledger(runtime) == [("report_confidential", report_id, "report.not_substantiated")]
