"""Benchmarks for Tandem: the ten-year vault generator and the figures printed on it.

Run `python3 dev.py bench` (or `.venv/bin/python bench/run_all.py`); see bench/README.md.
"""
