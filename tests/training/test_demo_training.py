"""The training demo set: loaded once, a workshop with one seat left, an e-learning with a certificate."""

from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from erkenning.devtools import demo
from erkenning.devtools import demo_training as training_demo
from tests.helpers import PORTAL_TRAINING, enrol


async def test_demo_training_loads_once_and_can_be_tried_out(client, runtime: Runtime, tokens) -> None:
    await demo.load(runtime)
    issued = await demo.load(runtime)
    company = {"Authorization": f"Bearer {issued['company']}"}

    [session] = (await client.get(f"{PORTAL_TRAINING}/sessions", headers=company)).json()["items"]
    assert (session["id"], session["capacity"], session["seats_left"]) == (
        str(training_demo.SESSION_ID),
        3,
        1,
    )
    [done] = (await client.get(f"{PORTAL_TRAINING}/participations", headers=company)).json()["items"]
    assert done["status"] == "completed" and done["format"] == "e_learning"
    check = await client.get(f"/api/v1/register/certificates/{done['certificate_code']}")
    assert check.json()["company_name"] == "Bakkerij De Korenschoof"

    last_seat = await client.post(
        f"{PORTAL_TRAINING}/participations", json={"session_id": session["id"]}, headers=company
    )
    assert last_seat.json()["status"] == "enrolled"
    waiting = await enrol(client, await tokens.make(Role.COMPANY), session_id=session["id"])
    assert waiting.json()["status"] == "waitlisted"
