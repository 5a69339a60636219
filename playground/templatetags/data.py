"""`{{ value|json_attr }}`: a value as JSON for a data- attribute a script reads.

The template escapes it like any attribute value, and a data attribute never
runs (the Content-Security-Policy forbids inline scripts). Registered as a
builtin (settings.TEMPLATES), so no {% load %} is needed.
"""

import json

from django import template

register = template.Library()


@register.filter
def json_attr(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)
