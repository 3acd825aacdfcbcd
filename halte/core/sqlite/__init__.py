"""The SQLite backend Halte runs on: Django's, with two changes for many writers.

- Checkpoints run beside the requests, not inside them (`checkpointer`).
- Writers queue on a lock of the operating system (`base`), not in SQLite's busy
  handler, which sleeps and polls.

Settings name it as the ENGINE "halte.core.sqlite" for every SQLite database URL.
"""
