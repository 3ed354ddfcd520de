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
