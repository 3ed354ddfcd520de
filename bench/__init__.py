"""The benchmark harness (`make bench`, `python -m bench`): not a test; writes bench/RESULTS.md."""
