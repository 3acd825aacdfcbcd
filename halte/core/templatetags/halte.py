"""Template helpers: the access policy and value formatting, asked from templates."""

from django import template

from halte.core import language
from halte.core.roles import Capability, can

register = template.Library()


@register.filter(name="can")
def can_filter(user, capability: str) -> bool:
    """`{% if user|can:"reveal_bsn" %}`: the same question views ask through core.roles."""
    return can(user, Capability(capability))


@register.filter
def language_name(code: str) -> str:
    return language.name(code) if code else ""
