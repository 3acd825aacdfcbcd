"""Halte's settings with the bare caller lookup served beside the real one."""

from halte.settings import *  # noqa: F403

ROOT_URLCONF = "side_by_side_urls"
