"""Performance benchmark: ``python -m bench.perf`` (see bench/README.md)."""
