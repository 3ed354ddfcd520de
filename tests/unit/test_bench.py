"""The benchmark harness is not a test; this checks that it imports and reads wrk's output right (that its
ceiling routes live on its own app only is in tests/test_bench.py)."""

from bench.register import parse_wrk

WRK_OUTPUT = """Running 10s test @ http://127.0.0.1:8123
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     5.12ms    1.23ms  30.00ms   90.00%
    Req/Sec     6.25k   500.00     7.00k    70.00%
  Latency Distribution
     50%  812.00us
     75%    5.50ms
     90%    6.20ms
     99%    1.20s
  62500 requests in 10.00s, 10.00MB read
  Non-2xx or 3xx responses: 12
Requests/sec:   6250.50
Transfer/sec:      1.00MB
"""


def test_bench_imports_and_parses_wrk_output() -> None:
    from bench.__main__ import main  # the harness's entry point imports cleanly

    assert callable(main)

    result = parse_wrk(WRK_OUTPUT)
    assert result.requests_per_s == 6250.50
    assert result.p50_ms == 0.812 and result.p99_ms == 1200.0
    assert (result.non_2xx, result.requests) == (12, 62500)


IMPORT_OUTPUT = """\
qualifications: 600 rows, 600 inserted, 0 updated, 0 unchanged, 0 refused (0.1 s: read 0.0 s, check 0.0 s, \
upsert 0.0 s, commit 0.0 s; upsert: analyze 0.0 s)
recognitions: 756002 rows, 756002 inserted, 0 updated, 0 unchanged, 0 refused, 756002 periods added, \
0 periods changed (60.5 s: read 1.0 s, check 6.2 s, upsert 53.0 s, commit 0.2 s; upsert: analyze 0.2 s, \
resolve 3.0 s, set aside 0.0 s, exclusion constraint 19.7 s, foreign keys 1.5 s)
"""


def test_bench_reads_the_import_phases_and_the_merge_steps() -> None:
    from bench.importing import _per_kind

    found = _per_kind(IMPORT_OUTPUT)
    seconds, phases, steps = found["recognitions"]
    assert seconds == 60.5
    assert phases == {"read": 1.0, "check": 6.2, "upsert": 53.0, "commit": 0.2}
    assert steps == {"analyze": 0.2, "resolve": 3.0, "set aside": 0.0, "exclusion constraint": 19.7,
                     "foreign keys": 1.5}
    assert found["qualifications"][2] == {"analyze": 0.0}


def test_the_outbox_rows_bound_the_one_at_a_time_figure_by_the_producer_alone() -> None:
    """The events' producer alone is shown as information, below the one-at-a-time figure it bounds."""
    from bench.backoffice import BackofficeFigures
    from bench.report import _outbox_rows

    figures = BackofficeFigures(trickle_events=1000, trickle_s=[4.0, 5.0, 3.0], trickle_arq_s=[1.0, 1.0, 1.0],
                                trickle_producer_s=[2.0, 2.5, 2.0])
    one_at_a_time, alone = _outbox_rows(figures)
    assert "| 0.25 (0.20–0.33) | ≥ 0.5 | **missed** |" in one_at_a_time
    assert alone.startswith("| Outbox: the events' producer alone, 1,000 events")
    assert "| 500 (400–500) events/s |" in alone and alone.endswith("| 0.50 (0.40–0.50) |  | — |")
