"""`{% revision_field %}`: the hidden field that names the version a form was made from.

Every write form of an editable working copy carries it (next to its CSRF
token); the server refuses the write if the copy has moved on since.
Registered as a builtin (settings.TEMPLATES), so no {% load %} is needed.
"""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def revision_field(context) -> str:
    space = context.get("space")
    if space is None or not getattr(space, "editable", False) or not space.version:
        return ""
    return format_html('<input type="hidden" name="revision" value="{}">', space.version)
