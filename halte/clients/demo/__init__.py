"""Demo data for Halte: a believable Dutch home-care organisation.

`manage.py seed_demo` builds it; `bench/run.py` uses the same code to seed a million
clients. The fixed, well-known demo clients (FIXED_CLIENTS in fixed.py) are what the
README and the tests refer to.
"""
