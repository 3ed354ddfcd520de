"""Verify, single and batch: answers come from the dated periods, and say nothing beyond the contract."""

from datetime import date, timedelta

import pytest

from erkenning.core import clock
from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from erkenning.recognition.models import Pathway, RecognitionStatus
from erkenning.recognition.models import RecognitionStatus as S
from erkenning.register.services import lookup
from tests.factories import SUSPENSION_AND_WITHDRAWAL, TokenFactory, build_world, make_company, make_recognition
from tests.helpers import on_day

VERIFY = "/api/v1/register/verify"
BATCH = "/api/v1/register/verify/batch"
ANSWER_KEYS = {"company", "crebo", "pathway", "date", "recognised", "status", "since", "until", "placements_until"}


@pytest.fixture
async def story(runtime: Runtime):
    company = await make_company(runtime)
    await make_recognition(runtime, company, SUSPENSION_AND_WITHDRAWAL)
    return company


@pytest.mark.parametrize(
    ("on", "recognised", "status", "since", "until"),
    [
        ("2023-12-31", False, None, None, None),  # before the grant
        ("2024-01-01", True, "active", "2024-01-01", "2026-03-01"),
        ("2026-02-28", True, "active", "2024-01-01", "2026-03-01"),  # the day before the suspension
        ("2026-03-01", False, "suspended", "2026-03-01", "2026-06-01"),  # during
        ("2026-05-31", False, "suspended", "2026-03-01", "2026-06-01"),
        ("2026-06-01", True, "active", "2026-06-01", "2027-01-01"),  # after: reinstated
        ("2026-12-31", True, "active", "2026-06-01", "2027-01-01"),  # last day of the transition period
        ("2027-01-01", False, "withdrawn", "2027-01-01", None),  # the future-dated withdrawal took effect
        ("2040-06-30", False, "withdrawn", "2027-01-01", None),
    ],
)
async def test_verify_reads_the_period_of_the_date(client, story, on, recognised, status, since, until) -> None:
    response = await client.get(VERIFY, params={"company": story.sbb_id, "crebo": "25180", "pathway": "bol", "date": on})
    assert response.status_code == 200, response.text
    assert response.json() == {
        "company": story.sbb_id, "crebo": "25180", "pathway": "bol", "date": on,
        "recognised": recognised, "status": status, "since": since, "until": until, "placements_until": None,
    }


async def test_verify_answer_has_exactly_the_contract_keys(client, story) -> None:
    body = (await client.get(VERIFY, params={"company": story.sbb_id, "crebo": "25180", "pathway": "bol"})).json()
    assert set(body) == ANSWER_KEYS


async def test_verify_finds_by_establishment_number_too(client, story) -> None:
    params = {"company": story.establishment_number, "crebo": "25180", "pathway": "bol", "date": "2025-01-01"}
    body = (await client.get(VERIFY, params=params)).json()
    assert body["recognised"] is True and body["company"] == story.establishment_number


async def test_verify_defaults_to_today_on_the_service_clock(client, story) -> None:
    with on_day(date(2026, 4, 15)):
        body = (await client.get(VERIFY, params={"company": story.sbb_id, "crebo": "25180", "pathway": "bol"})).json()
    assert body["date"] == "2026-04-15"
    assert (body["recognised"], body["status"]) == (False, "suspended")


async def test_adjacent_periods_of_one_status_are_one_run(client, runtime) -> None:
    company = await make_company(runtime)
    await make_recognition(runtime, company, [
        (S.ACTIVE, date(2020, 1, 1), date(2022, 1, 1)),
        (S.ACTIVE, date(2022, 1, 1), date(2023, 1, 1)),
        (S.LAPSED, date(2023, 1, 1), None),
    ])
    body = (await client.get(VERIFY, params={
        "company": company.sbb_id, "crebo": "25180", "pathway": "bol", "date": "2022-06-01"})).json()
    assert (body["since"], body["until"]) == ("2020-01-01", "2023-01-01")


async def test_the_status_column_alone_never_makes_a_company_recognised(client, runtime) -> None:
    company = await make_company(runtime)
    await make_recognition(runtime, company, [(S.ACTIVE, date(2030, 1, 1), None)], status=RecognitionStatus.ACTIVE)
    body = (await client.get(VERIFY, params={
        "company": company.sbb_id, "crebo": "25180", "pathway": "bol", "date": "2029-12-31"})).json()
    assert (body["recognised"], body["status"]) == (False, None)


@pytest.mark.parametrize(
    "params",
    [
        {"company": "999999999", "crebo": "25180", "pathway": "bol"},  # unknown company
        {"company": "000000000001", "crebo": "25180", "pathway": "bol"},  # unknown establishment
        {"crebo": "99999", "pathway": "bol"},  # qualification not in the catalogue
        {"crebo": "25180", "pathway": "bbl"},  # recognised for the other pathway only
    ],
)
async def test_what_is_not_known_is_not_recognised(client, story, params) -> None:
    params = {"company": story.sbb_id, "date": "2025-01-01", **params}
    response = await client.get(VERIFY, params=params)
    assert response.status_code == 200
    assert response.json()["recognised"] is False and response.json()["status"] is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("company", "abc"),
        ("company", "1234567890123"),
        ("company", ""),
        ("crebo", "1234"),
        ("crebo", "12a45"),
        ("pathway", "xyz"),
        ("date", "2026-13-01"),
        ("date", "tomorrow"),
    ],
)
async def test_malformed_input_is_422(client, field, value) -> None:
    params = {"company": "100000001", "crebo": "25180", "pathway": "bol", field: value}
    response = await client.get(VERIFY, params=params)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("missing", ["company", "crebo", "pathway"])
async def test_missing_input_is_422(client, missing) -> None:
    params = {"company": "100000001", "crebo": "25180", "pathway": "bol"}
    del params[missing]
    assert (await client.get(VERIFY, params=params)).status_code == 422


# ---------------------------------------------------------------- batch


async def test_batch_of_a_thousand_answers_each_item_in_order(client, runtime, tokens: TokenFactory) -> None:
    school = await tokens.make(Role.SCHOOL, school_brin="25LX")
    story = await make_company(runtime)
    await make_recognition(runtime, story, SUSPENSION_AND_WITHDRAWAL)
    other = await make_company(runtime)
    await make_recognition(runtime, other, [(S.ACTIVE, date(2020, 1, 1), None)], crebo="25181", pathway=Pathway.BBL)
    # (item, expected recognised, expected status): known and unknown companies mixed through the batch.
    kinds = [
        ({"company": story.sbb_id, "crebo": "25180", "pathway": "bol", "date": "2025-05-05"}, True, "active"),
        ({"company": story.sbb_id, "crebo": "25180", "pathway": "bol", "date": "2026-04-01"}, False, "suspended"),
        ({"company": "999999999", "crebo": "25180", "pathway": "bol"}, False, None),
        ({"company": story.establishment_number, "crebo": "25180", "pathway": "bol", "date": "2027-02-01"},
         False, "withdrawn"),
        ({"company": other.establishment_number, "crebo": "25181", "pathway": "bbl"}, True, "active"),
        ({"company": other.sbb_id, "crebo": "25181", "pathway": "bol"}, False, None),
        ({"company": "000000000001", "crebo": "25180", "pathway": "bol", "date": "2025-05-05"}, False, None),
    ]
    items = [kinds[(n * 5 + n // 7) % len(kinds)] for n in range(1000)]
    response = await client.post(BATCH, json={"items": [i for i, _, _ in items]}, headers=school.headers)
    assert response.status_code == 200, response.text
    answers = response.json()["items"]
    assert len(answers) == 1000
    for (item, recognised, status), answer in zip(items, answers, strict=True):
        assert set(answer) == ANSWER_KEYS
        assert (answer["company"], answer["crebo"], answer["pathway"]) == (item["company"], item["crebo"], item["pathway"])
        assert answer["date"] == item.get("date", clock.today().isoformat())
        assert (answer["recognised"], answer["status"]) == (recognised, status)


async def test_batch_answers_match_single_verify(client, runtime, tokens: TokenFactory) -> None:
    school = await tokens.make(Role.SCHOOL, school_brin="25LX")
    company = await make_company(runtime)
    await make_recognition(runtime, company, SUSPENSION_AND_WITHDRAWAL)
    days = [date(2023, 12, 31) + timedelta(days=d) for d in range(0, 1300, 37)]
    items = [{"company": company.sbb_id, "crebo": "25180", "pathway": "bol", "date": d.isoformat()} for d in days]
    batch = (await client.post(BATCH, json={"items": items}, headers=school.headers)).json()["items"]
    for item, answer in zip(items, batch, strict=True):
        assert answer == (await client.get(VERIFY, params=item, headers=school.headers)).json()


async def test_anonymous_callers_may_not_batch(client) -> None:
    item = {"company": "100000001", "crebo": "25180", "pathway": "bol"}
    assert (await client.post(BATCH, json={"items": [item]})).status_code == 401


async def test_only_schools_batch(client, tokens: TokenFactory) -> None:
    adviser = await tokens.make(Role.ADVISER)
    item = {"company": "100000001", "crebo": "25180", "pathway": "bol"}
    assert (await client.post(BATCH, json={"items": [item]}, headers=adviser.headers)).status_code == 403


@pytest.mark.parametrize(
    "body",
    [
        {"items": []},
        {"items": [{"company": "100000001", "crebo": "25180", "pathway": "bol"}] * 1001},
        {"items": [{"company": "x", "crebo": "25180", "pathway": "bol"}]},
        {"items": [{"company": "100000001", "crebo": "25180", "pathway": "bol", "date": "2026-02-30"}]},
        {"items": [{"company": "100000001", "crebo": "25180", "pathway": "bol", "status": "active"}]},
        {"items": [{"company": "100000001", "crebo": "25180"}]},
        {"pairs": []},
    ],
)
async def test_malformed_batch_is_422(client, tokens: TokenFactory, body) -> None:
    school = await tokens.make(Role.SCHOOL, school_brin="25LX")
    response = await client.post(BATCH, json=body, headers=school.headers)
    assert response.status_code == 422, response.text


async def test_verify_answers_the_transition_arrangement_of_a_suspension_single_and_batch(
    client, runtime, tokens: TokenFactory
) -> None:
    world = await build_world(runtime, tokens)
    recognition_id = await world.granted(on=clock.today() - timedelta(days=100))
    start, placements = clock.today() + timedelta(days=10), clock.today() + timedelta(days=70)
    await world.decide("suspend", [recognition_id], effective_from=start, until_reinstated=True,
                       placements_until=placements)
    company = await world.company_row()

    def ask(day):
        return {"company": company.sbb_id, "crebo": "25180", "pathway": "bol", "date": day.isoformat()}

    before = (await client.get(VERIFY, params=ask(start - timedelta(days=1)))).json()
    assert (before["status"], before["placements_until"]) == ("active", None)
    during = (await client.get(VERIFY, params=ask(start + timedelta(days=5)))).json()
    assert (during["recognised"], during["status"]) == (False, "suspended")
    assert during["placements_until"] == placements.isoformat()
    school = await tokens.make(Role.SCHOOL, school_brin="25LX")
    batch = await client.post(BATCH, json={"items": [ask(start - timedelta(days=1)), ask(start)]},
                              headers=school.headers)
    assert [a["placements_until"] for a in batch.json()["items"]] == [None, placements.isoformat()]


async def test_batch_in_chunks_answers_every_kind_of_item_as_single_verify_does(
    client, runtime, app_with, tokens: TokenFactory
) -> None:
    """A batch is answered in chunks run at once (`lookup.batch_chunks`); whatever the chunking, each answer is
    the single verify's answer, in the item's place: both key kinds, unknown company and crebo, a wrong
    pathway, suspended and withdrawn (one with a transition arrangement), adjacent periods of one status
    (one run), past and future dates, no date (today), and the same item many times, across chunk borders."""
    world = await build_world(runtime, tokens)
    recognition_id = await world.granted(on=clock.today() - timedelta(days=100))
    start, placements = clock.today() + timedelta(days=10), clock.today() + timedelta(days=70)
    await world.decide("suspend", [recognition_id], effective_from=start, until_reinstated=True,
                       placements_until=placements)
    decided = await world.company_row()
    story = await make_company(runtime)
    await make_recognition(runtime, story, SUSPENSION_AND_WITHDRAWAL)
    runs = await make_company(runtime)
    await make_recognition(runtime, runs, [(S.ACTIVE, date(2020, 1, 1), date(2022, 1, 1)),
                                           (S.ACTIVE, date(2022, 1, 1), date(2024, 1, 1)),
                                           (S.LAPSED, date(2024, 1, 1), None)], crebo="25181", pathway=Pathway.BBL)

    def item(company: str, crebo: str = "25180", pathway: str = "bol", on: date | None = None) -> dict[str, str]:
        return {"company": company, "crebo": crebo, "pathway": pathway} | ({"date": on.isoformat()} if on else {})

    kinds = [
        item(decided.sbb_id, on=start - timedelta(days=1)), item(decided.sbb_id, on=start),
        item(decided.establishment_number, on=start + timedelta(days=5)), item(decided.sbb_id),
        item(story.sbb_id, on=date(2023, 12, 31)), item(story.establishment_number, on=date(2024, 1, 1)),
        item(story.sbb_id, on=date(2026, 3, 1)), item(story.establishment_number, on=date(2026, 5, 31)),
        item(story.sbb_id, on=date(2026, 12, 31)), item(story.sbb_id, on=date(2040, 6, 30)), item(story.sbb_id),
        item(runs.sbb_id, "25181", "bbl", date(2021, 6, 1)), item(runs.establishment_number, "25181", "bbl"),
        item(runs.sbb_id, "25181", "bbl", date(2022, 1, 1)), item(runs.sbb_id, "25181", "bol", date(2021, 6, 1)),
        item("999999999"), item("000000000001", on=date(2025, 5, 5)), item(story.sbb_id, "99999"),
        item(story.sbb_id, "25181"),
    ]
    school = await tokens.make(Role.SCHOOL, school_brin="25LX")
    single = [(await client.get(VERIFY, params=k, headers=school.headers)).json() for k in kinds]
    order = [(n * 7 + n // 11) % len(kinds) for n in range(1000)]  # every kind, repeated, in a mixed order
    body = {"items": [kinds[k] for k in order]}
    assert {a["status"] for a in single} >= {"active", "suspended", "withdrawn", "lapsed", None}
    assert any(a["placements_until"] for a in single)
    assert lookup.batch_chunks(1000, runtime.settings.register_db_pool_size) > 1  # this app answers in chunks
    answered = await client.post(BATCH, json=body, headers=school.headers)
    assert answered.status_code == 200, answered.text
    assert answered.json()["items"] == [single[k] for k in order]
    # One chunk (a pool of 3 spares one connection per batch) answers the same, as does a batch smaller than a chunk.
    async with app_with(register_db_pool_size=3) as (small, _):
        assert lookup.batch_chunks(1000, 3) == 1
        alone = await small.post(BATCH, json=body, headers=school.headers)
        assert alone.json()["items"] == [single[k] for k in order]
        few = await small.post(BATCH, json={"items": kinds}, headers=school.headers)
        assert few.json()["items"] == single


@pytest.mark.parametrize(
    ("count", "pool", "chunks"),
    [(1, 10, 1), (250, 10, 1), (251, 10, 2), (1000, 10, 3), (1000, 30, 4), (1000, 3, 1), (1000, 1, 1), (600, 6, 2)],
)
def test_a_batch_takes_at_most_a_third_of_the_pool_in_chunks_of_at_least_the_minimum(count, pool, chunks) -> None:
    assert lookup.batch_chunks(count, pool) == chunks
