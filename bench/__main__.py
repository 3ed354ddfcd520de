"""`python -m bench [--quick]`: measure, print the table, and write bench/RESULTS.md (not a test)."""

from __future__ import annotations

import argparse
import os
import sys

from bench import backoffice, dataset, importing, register, report
from bench.env import OUT, ROOT, api_server, raw_server, run, say, start


def _args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small data and short runs: a smoke test")
    parser.add_argument("--companies", type=int, default=None, help="default 250,000 (quick: 3,000)")
    parser.add_argument("--runs", type=int, default=None, help="runs per figure, medians over them (default 3)")
    parser.add_argument("--seconds", type=int, default=None, help="length of each HTTP run (default 10)")
    parser.add_argument("--seed-value", type=int, default=1)
    parser.add_argument("--only", choices=["import", "register", "backoffice", "outbox"], default=None)
    args = parser.parse_args(argv)
    args.companies = args.companies or (3_000 if args.quick else 250_000)
    args.runs = args.runs or (1 if args.quick else 3)
    args.seconds = args.seconds or (3 if args.quick else 10)
    return args


def _backoffice(env, args: argparse.Namespace, skipped: list[str]) -> backoffice.BackofficeFigures:
    """Issue 8's figures: outbox worker, deadline sweep, case list (each against its ceiling)."""
    office = backoffice.BackofficeFigures()
    template = run(dataset.empty_template(env))
    run(backoffice.measure_trickle(env, template, office, events=300 if args.quick else 2000, runs=args.runs))
    run(backoffice.measure_outbox(env, template, office, events=300 if args.quick else 3000, runs=args.runs))
    if args.only == "outbox":  # the outbox's two figures alone, for work on the outbox
        backoffice.drop_work(env)
        return office
    run(backoffice.measure_sweep(env, template, office, runs=args.runs,
                                 big=10_000 if args.quick else backoffice.DEADLINES_BIG,
                                 due_sizes=(1, 100, 1_000) if args.quick else backoffice.DUE_SIZES))
    if not register.have_wrk():
        skipped.append("case list: wrk is not installed")
    else:
        token, me = run(backoffice.prepare_cases(env, template, 1_000 if args.quick else backoffice.CASES))
        office.cases = 1_000 if args.quick else backoffice.CASES
        office.mine = run(backoffice.count_mine(env, me))
        with api_server(env, backoffice.WORK_DB, log=OUT / "server.log") as base:
            backoffice.measure_case_list(base, token, office, runs=args.runs, seconds=args.seconds,
                                         connections=register.CONNECTIONS)
    backoffice.drop_work(env)
    return office


def main(argv: list[str] | None = None) -> int:
    args = _args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    load_start = os.getloadavg()
    env = start(ROOT / ".data" / "bench")
    skipped: list[str] = []
    imports = figures = office = None
    try:
        recognitions = 0
        if args.only in (None, "import", "register"):  # the back office's figures need no seeded register
            database = run(dataset.seeded_database(env, args.companies, args.seed_value))
            files = run(dataset.csv_files(env, database))
            recognitions = dataset.count_rows(files["recognitions"])
        if args.only in (None, "import"):
            template = run(dataset.empty_template(env))
            imports = run(importing.measure_import(env, files, template, args.runs))
        if args.only in (None, "register"):
            if not register.have_wrk():
                skipped.append("register figures: wrk is not installed (`apt-get install wrk`; `make bench` tries)")
            else:
                pairs = run(register.sample_pairs(env, database))
                token = register.school_token(env, database)
                with (api_server(env, database, log=OUT / "server.log") as base,
                      raw_server(env, database, log=OUT / "rawapp.log") as raw_base):
                    figures = register.measure_register(base, raw_base, token, pairs, runs=args.runs,
                                                        seconds=args.seconds)
        if args.only in (None, "backoffice", "outbox"):
            office = _backoffice(env, args, skipped)
        setup = report.Setup(companies=args.companies, recognitions=recognitions, runs=args.runs,
                             seconds=args.seconds, postgres=run(env.server_version()), quick=args.quick,
                             load_start=load_start, load_end=os.getloadavg())
    finally:
        env.close()
    lines = ["# Benchmark results", "", *report.machine(setup), "",
             *report.table(imports, figures, skipped, office), ""]
    if imports:
        lines += [*report.split(imports), ""]
    lines += [report.METHOD, ""]
    text = "\n".join(lines)
    # A smoke run or a partial one never replaces the full table.
    name = "RESULTS.quick.md" if args.quick else f"RESULTS.{args.only}.md" if args.only else "RESULTS.md"
    target = ROOT / "bench" / name
    target.write_text(text)
    print(text)
    say(f"written to {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
