import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "halte.settings")
application = get_wsgi_application()

# Production without collected static files would answer every page with a 500:
# gunicorn's workers refuse to boot instead, naming the step (halte/core/deploy.py).
from halte.core.deploy import refuse_to_start_without_static_files  # noqa: E402 - needs setup

refuse_to_start_without_static_files()

# Import every view now rather than at the first request, then take what the
# process holds after start-up (about 100,000 objects that live as long as it does)
# out of the cyclic garbage collector's reach: each full collection walked them all,
# a pause of about 100 ms for whichever request it fell in.
get_resolver().url_patterns  # noqa: B018 - for its imports
gc.freeze()
