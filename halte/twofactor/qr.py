"""The enrolment's QR code, drawn on the server as SVG: no image library, no script,
and the secret never leaves the page for a third-party service."""

import segno
from django.utils.safestring import SafeString, mark_safe


def svg(data: str, *, title: str) -> SafeString:
    code = segno.make(data, error="m")
    # segno writes the SVG itself from the QR matrix: nothing of `data` but the
    # modules ends up in it, so it is safe to put into the page as it is.
    # The title is ours (a translated text), escaped by segno as XML.
    return mark_safe(code.svg_inline(scale=4, border=4, title=title))  # noqa: S308
