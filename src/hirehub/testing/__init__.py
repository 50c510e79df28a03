"""Doubles for tests and benchmarks that exercise the hub without a real directory or queue load."""
