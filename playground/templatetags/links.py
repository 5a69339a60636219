"""`{% href url name=value ... %}`: a link with its query, keeping predict mode.

`url` is one of a space's named URLs (`space.urls.page`, links.SpaceUrls);
empty values are left out, and while the page is in predict mode the link
carries the flag, so a viewer without JavaScript stays in the mode. Pass
`predict=False` for the one link that leaves it. Registered as a builtin
(settings.TEMPLATES), so no {% load %} is needed.
"""

from django import template

from playground import links

register = template.Library()


@register.simple_tag(takes_context=True)
def href(context, url: str, **params) -> str:
    on = params.pop("predict", context.get("predict", False))
    return links.with_query(url, predict=bool(on), **params)
