"""Benchmarks: relevance (``python -m bench.relevance``)."""
