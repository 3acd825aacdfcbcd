"""Halte's settings with a bare caller-lookup view in front (bench/first_contact.py --bare):
the ceiling this machine puts on any Django view, to compare the real endpoint with."""

from halte.settings import *  # noqa: F403

ROOT_URLCONF = "bare_urls"
