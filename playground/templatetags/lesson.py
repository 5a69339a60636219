"""Lesson and trace text filters.

`{{ text|markdown }}`  lesson text rendered by playground.markdown (HTML escaped first)
`{{ text|rules }}`     plain text, escaped, with rule numbers linked to the glossary
`{{ text|setup }}`     the part of a lesson shown in predict mode (before its first ---)
"""

import html
import re

from django import template
from django.utils.safestring import mark_safe

from playground import markdown as md

register = template.Library()

_BREAK = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$", re.M)


@register.filter
def markdown(text: object) -> str:
    return mark_safe(md.render(str(text or "")))  # render() escapes all input first


@register.filter
def rules(text: object) -> str:
    return mark_safe(md.rule_links(html.escape(str(text or ""))))  # escaped first


@register.filter
def setup(text: object) -> str:
    """The lesson's setup: what comes before its first --- line ("" when it has none)."""
    match = _BREAK.search(str(text or ""))
    return str(text)[: match.start()].rstrip() if match else ""
