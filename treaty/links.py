"""Where each part of a treaty is read, and the permalinks that point into it.

Every reading unit has a page: an article at /treaties/<slug>/articles/<number>/, the preamble,
the closing formula (`final`) and each annex at /treaties/<slug>/parts/<key>/. Anything that links
to a unit (search, heatmap rows, emails, exports) builds the path here, so no link can point at a
page that does not show the unit.
"""

from urllib.parse import urlencode

from django.urls import reverse

from treaty.models import DraftVersion, Provision

# Non-article units: the importer makes exactly these the root of a reading unit.
PART_KEYS = ("pre", "final")


def is_part_key(key: str) -> bool:
    return key in PART_KEYS or key == "annex" or (key.startswith("annex-") and "." not in key)


def unit_path_for(treaty_slug: str, *, kind: str, number: str, key: str) -> str:
    """The page of a unit, from the values an export row or a list already holds."""
    if kind == Provision.Kind.ARTICLE and number:
        return reverse("treaty:article", args=[treaty_slug, number])
    return reverse("treaty:part", args=[treaty_slug, key])


def unit_path(treaty_slug: str, unit: Provision) -> str:
    return unit_path_for(treaty_slug, kind=unit.kind, number=unit.number, key=unit.key)


def version_params(version: DraftVersion) -> dict[str, str]:
    """Names a version for good: the current draft changes, a permalink must not."""
    return {"version": version.label, "lang": version.language}


def provision_path(treaty_slug: str, unit: Provision, version: DraftVersion, key: str) -> str:
    """A provision on its unit's page, in the given version."""
    return f"{unit_path(treaty_slug, unit)}?{urlencode(version_params(version))}#{key}"


def annotation_permalink_path(*, treaty_slug: str, unit: Provision, version: DraftVersion, pk: int) -> str:
    """An annotation where it was written: its unit's page in the version it was written on,
    on the panel page that holds it (?show=)."""
    query = urlencode({**version_params(version), "show": str(pk)})
    return f"{unit_path(treaty_slug, unit)}?{query}#annotation-{pk}"


def annotation_short_path(pk: int) -> str:
    """The stable short form (/annotations/<id>/), redirected to annotation_permalink_path."""
    return reverse("annotations:permalink", args=[pk])
