import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "halte.settings")
application = get_asgi_application()
from halte.core.deploy import refuse_to_start_without_static_files  # noqa: E402 - needs setup

refuse_to_start_without_static_files()  # see halte/wsgi.py
