"""Register figures under load with wrk: single verify against the raw-SELECT ceiling, and batch latency.

The contract the register endpoints are coded against (each scenario is skipped, saying why, when
its endpoint does not answer):
- `GET  /api/v1/register/verify?company=<SBB id>&crebo=<crebo>&pathway=<bol|bbl>`
- `POST /api/v1/register/verify/batch` with `{"items": [{"company", "crebo", "pathway"}, …]}` (≤ 1,000)
- `GET  /api/v1/register/_ceiling/{company_id}`: one primary-key SELECT; the benchmark's own (`bench.ceilings`).
- `GET  /raw/{company_id}` on a separate minimal app (`bench.rawapp`): the same SELECT, nothing around it.
Every request varies the company (a wrk Lua script picks from a sample of real recognitions).
"""

from __future__ import annotations

import json
import random
import re
import shutil
import statistics
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx

from bench.env import OUT, ROOT, Environment, cli_env

VERIFY = "/api/v1/register/verify?company={sbb_id}&crebo={crebo}&pathway={pathway}"
CEILING = "/api/v1/register/_ceiling/{company_id}"
RAW = "/raw/{company_id}"
BATCH = "/api/v1/register/verify/batch"
BATCH_SIZE = 1000
CONNECTIONS = 32


@dataclass(frozen=True)
class Pair:
    company_id: str
    sbb_id: str
    crebo: str
    pathway: str


@dataclass
class WrkResult:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    requests: int


@dataclass
class RegisterFigures:
    skipped: list[str] = field(default_factory=list)
    raw: list[WrkResult] = field(default_factory=list)  # the separate minimal app: the baseline
    ceiling: list[WrkResult] = field(default_factory=list)
    verify: list[WrkResult] = field(default_factory=list)
    single_latency: list[WrkResult] = field(default_factory=list)
    batch_latency: list[WrkResult] = field(default_factory=list)


async def sample_pairs(env: Environment, database: str, n: int = 2000) -> list[Pair]:
    conn = await asyncpg.connect(env.libpq_url(database))
    try:
        await conn.execute("SELECT setseed(0.42)")
        rows = await conn.fetch(
            """SELECT c.id::text, c.sbb_id, q.crebo, r.pathway FROM recognition r
               JOIN company c ON c.id = r.company_id JOIN qualification q ON q.id = r.qualification_id
               ORDER BY random() LIMIT $1""",
            n,
        )
    finally:
        await conn.close()
    return [Pair(*row) for row in rows]


def school_token(env: Environment, database: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "erkenning.cli", "token", "create", "--name", "Benchmark school", "--role", "school",
         "--school-brin", "25LX", "--days", "1"],
        env=cli_env(env, database), cwd=ROOT, capture_output=True, text=True, check=True,
    )
    return done.stdout.strip().splitlines()[-1]


def batch_body(pairs: list[Pair], rng: random.Random) -> str:
    items = [{"company": p.sbb_id, "crebo": p.crebo, "pathway": p.pathway} for p in rng.sample(pairs, BATCH_SIZE)]
    return json.dumps({"items": items}, separators=(",", ":"))


def probe(base: str, token: str, pairs: list[Pair]) -> dict[str, str | None]:
    """For each scenario: None when its endpoint answers as the contract says, else why it is skipped."""
    headers = {"Authorization": f"Bearer {token}"}
    p = pairs[0]
    checks = {
        "verify": ("GET", VERIFY.format(sbb_id=p.sbb_id, crebo=p.crebo, pathway=p.pathway), None),
        "ceiling": ("GET", CEILING.format(company_id=p.company_id), None),
        "batch": ("POST", BATCH, {"items": [{"company": q.sbb_id, "crebo": q.crebo, "pathway": q.pathway}
                                            for q in pairs[:2]]}),
    }
    out: dict[str, str | None] = {}
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        for name, (method, path, body) in checks.items():
            response = client.request(method, path, json=body)
            out[name] = None if response.status_code == 200 else (
                f"{method} {path.split('?')[0]} answered {response.status_code}"
                + (" (endpoint absent: the register branch builds it)" if response.status_code in (404, 405) else "")
            )
    return out


def _lua_get(paths: list[str], token: str | None) -> str:
    entries = ",\n".join(json.dumps(p) for p in paths)
    auth = f'["Authorization"] = "Bearer {token}"' if token else ""
    return f"""
local paths = {{
{entries}
}}
local n = #paths
local headers = {{ {auth} }}
math.randomseed(os.time())
request = function()
  return wrk.format("GET", paths[math.random(n)], headers)
end
"""


def _lua_post(path: str, bodies: list[str], token: str) -> str:
    entries = ",\n".join("[==[" + b + "]==]" for b in bodies)
    return f"""
local bodies = {{
{entries}
}}
local n = #bodies
local headers = {{ ["Authorization"] = "Bearer {token}", ["Content-Type"] = "application/json" }}
math.randomseed(os.time())
request = function()
  return wrk.format("POST", "{path}", headers, bodies[math.random(n)])
end
"""


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if match is None:
        raise ValueError(f"not a wrk duration: {text!r}")
    value, unit = match.groups()
    return float(value) * _UNITS[unit]


def parse_wrk(output: str) -> WrkResult:
    def find(pattern: str) -> str:
        match = re.search(pattern, output)
        if not match:
            raise RuntimeError(f"unexpected wrk output:\n{output}")
        return match.group(1)

    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return WrkResult(
        requests_per_s=float(find(r"Requests/sec:\s+([\d.]+)")),
        p50_ms=_ms(find(r"\s50%\s+([\d.]+\w+)")),
        p99_ms=_ms(find(r"\s99%\s+([\d.]+\w+)")),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        requests=int(find(r"(\d+) requests in")),
    )


def wrk(base: str, script: Path, *, connections: int, seconds: int) -> WrkResult:
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency", "-s", str(script), base]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    return parse_wrk(done.stdout + done.stderr)


def have_wrk() -> bool:
    return shutil.which("wrk") is not None


def measure_register(base: str, raw_base: str, token: str, pairs: list[Pair], *, runs: int,
                     seconds: int) -> RegisterFigures:
    figures = RegisterFigures()
    missing = probe(base, token, pairs)
    figures.skipped = [f"{name}: {why}" for name, why in missing.items() if why]
    rng = random.Random(7)
    verify_paths = [VERIFY.format(sbb_id=p.sbb_id, crebo=p.crebo, pathway=p.pathway) for p in pairs]
    # Throughput as the public calls it (anonymous: a token check per request would dominate both
    # sides); latency with the school token the batch needs, on both sides.
    scripts = {
        "verify": _lua_get(verify_paths, None),
        "ceiling": _lua_get([CEILING.format(company_id=p.company_id) for p in pairs], None),
        "raw": _lua_get([RAW.format(company_id=p.company_id) for p in pairs], None),
        "verify_school": _lua_get(verify_paths, token),
        "batch": _lua_post(BATCH, [batch_body(pairs, rng) for _ in range(5)], token),
    }
    paths = {}
    for name, text in scripts.items():
        paths[name] = OUT / f"wrk-{name}.lua"
        paths[name].write_text(text)
    can = {name: missing.get(name) is None for name in scripts}
    can["raw"] = httpx.get(raw_base + RAW.format(company_id=pairs[0].company_id), timeout=30).status_code == 200
    if not can["raw"]:
        figures.skipped.append("raw app: GET /raw/{id} did not answer 200")
    for _ in range(runs):
        # Throughput: the raw app, the in-app ceiling and the real thing back to back under the same load.
        if can["raw"]:
            figures.raw.append(wrk(raw_base, paths["raw"], connections=CONNECTIONS, seconds=seconds))
        if can["ceiling"]:
            figures.ceiling.append(wrk(base, paths["ceiling"], connections=CONNECTIONS, seconds=seconds))
        if can["verify"]:
            figures.verify.append(wrk(base, paths["verify"], connections=CONNECTIONS, seconds=seconds))
        # Latency, one request at a time: one batch of 1,000 against one single verify.
        if can["verify"] and can["batch"]:
            figures.single_latency.append(wrk(base, paths["verify_school"], connections=1, seconds=seconds))
            figures.batch_latency.append(wrk(base, paths["batch"], connections=1, seconds=seconds))
    return figures


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")
