"""Benchmark harness: build a synthetic province-scale dataset and time registered scenarios.

Run it as `python -m bench --db sqlite|postgresql --scale small|province --json OUT`.
Other issues add data with `@generator(order=...)` and timings with `@scenario(name)` in a
module under `bench/generators/` or `bench/scenarios/`; both packages are scanned.
"""
