"""`{{ moment|public_iso }}`: a time in a page as the public sees it, to the minute, for
`<time datetime>` (annotations.public_time). Never `|date:'c'`: it prints seconds and microseconds."""

from datetime import datetime

from django import template

from annotations.public_time import public_iso as _public_iso

register = template.Library()


@register.filter
def public_iso(moment: datetime | None) -> str:
    return _public_iso(moment) if moment else ""
