"""The start page: each role goes straight to its own work."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.templatetags.static import static

from halte.core.extensions import start_page


@login_required
def home(request):
    # The apps register their start pages in their AppConfig.ready().
    url = start_page(request.user)
    if url is not None:
        return redirect(url)
    return render(request, "core/home.html")


def favicon(request):
    """Browsers and bookmark tools ask for /favicon.ico whatever the page links; not a
    permanent redirect, since the static file's URL carries its hash in production."""
    return redirect(static("img/favicon.ico"))
