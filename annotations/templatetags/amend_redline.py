"""`{% amend_redline annotation version %}`: an annotation's proposed wording as a redline."""

from __future__ import annotations

from typing import Any

from django import template

from annotations.amend import amend_redline as redline_of
from annotations.models import Annotation
from treaty.models import DraftVersion

register = template.Library()


@register.inclusion_tag("annotations/_amend_redline.html")
def amend_redline(annotation: Annotation, version: DraftVersion | None = None) -> dict[str, Any]:
    # target and provision are select_related by every list that shows annotations: no query here.
    diff = redline_of(
        annotation.position, annotation.proposed_text, annotation.target.exact, annotation.provision.text
    )
    return {
        "redline": {"diff": diff} if diff else None,  # treaty/_redline.html reads `p.diff`
        "proposed_text": annotation.proposed_text,
        "version": version or annotation.version,
        "on_quote": bool(annotation.target.exact),
    }
