"""`{% revision_field %}`: the hidden fields every write form carries: the
version it was made from, and the page's predict mode.

Every write form of an editable working copy carries it (next to its CSRF
token); the server refuses the write if the copy has moved on since. In
predict mode it also carries `predict=1`, so the page a plain (no-JS) post
is sent back to keeps the answers hidden.
Registered as a builtin (settings.TEMPLATES), so no {% load %} is needed.
"""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def revision_field(context) -> str:
    mode = (
        mark_safe('<input type="hidden" name="predict" value="1">')
        if context.get("predict")
        else ""
    )
    space = context.get("space")
    if space is None or not getattr(space, "editable", False) or not space.version:
        return mode
    return format_html('<input type="hidden" name="revision" value="{}">{}', space.version, mode)
