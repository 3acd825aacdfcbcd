"""Halte's URLs with the bare caller lookup beside the real one (bench/lookup_tail.py):
both in one process, so the two are timed interleaved, in the same conditions."""

from bare_urls import bare_callers
from django.urls import path

from halte.urls import urlpatterns as halte_urlpatterns

urlpatterns = [path("bare/callers", bare_callers), *halte_urlpatterns]
