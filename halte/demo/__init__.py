"""Demo data for Halte: a believable Dutch home-care organisation.

A tool beside the product, not part of it: the domain apps know nothing of it, and
it may import every app (it sits at the top, beside the API hub and the project's
URLs). `manage.py seed_demo` (management/commands/) builds it; `bench/` uses the same
code to seed a million clients.

- seed.py: the entry point. Loads the organisation (locations, teams, staff), writes
  the clients in batches and hands each batch to the contact and journey seeders.
- fixed.py: the well-known demo clients, logins and promises that the README and the
  tests refer to (FIXED_CLIENTS, LOGINS).
- fit.py, hours.py: rules every domain's demo follows: a text fits the client it is
  about; things happen on weekdays in office hours.
- clients/: one random, believable client (generate.py) from pools of names,
  addresses and numbers (people.py) and Dutch texts (texts.py).
- contact/: past contacts, missed calls and promises (seeder.py).
- journey/: referrals, intakes, waiting lists and care: who gets which story
  (seeder.py), the story as rows (rows.py), its Dutch texts (texts.py).
- tests/: what the demo promises the README, `make demo` and the benchmarks.
"""
