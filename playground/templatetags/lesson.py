"""`{{ text|markdown }}`: lesson text rendered by playground.markdown (HTML escaped first)."""

from django import template
from django.utils.safestring import mark_safe

from playground import markdown as md

register = template.Library()


@register.filter
def markdown(text: object) -> str:
    return mark_safe(md.render(str(text or "")))  # render() escapes all input first
