"""Template helpers: the access policy and value formatting, asked from templates."""

from django import template
from django.utils.html import format_html

from halte.core import language
from halte.core import phone as phone_codec
from halte.core.roles import Capability, can

register = template.Library()


@register.filter(name="can")
def can_filter(user, capability: str) -> bool:
    """`{% if user|can:"reveal_bsn" %}`: the same question views ask through core.roles."""
    return can(user, Capability(capability))


@register.filter
def language_name(code: str) -> str:
    return language.name(code) if code else ""


@register.filter
def phone(e164: str, link: str = "link"):
    """`{{ number.e164|phone }}`: every page's one notation of a phone number (06 12 34 56
    78), as a tel: link, in a box that never wraps; `|phone:"text"` without the link."""
    if not e164:
        return ""
    shown = phone_codec.display(e164)
    if link == "text":
        return format_html('<span class="phone">{}</span>', shown)
    return format_html('<a class="phone" href="tel:{}">{}</a>', e164, shown)
