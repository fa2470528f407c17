"""Tandem's domain and use cases: plain, typed Python with no Qt, no SQL and no PDF libraries."""
