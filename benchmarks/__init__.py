"""Benchmarks: the data generator at scale (generate.py, run by `manage.py generate_data`) and
the latency and throughput harness (`python -m benchmarks.run`). See docs/performance.md."""
