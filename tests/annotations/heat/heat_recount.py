"""A brute-force recount of heat from the annotations, in Python, to check the stored rows against."""

from collections import defaultdict

from annotations.models import Annotation, Heat

Key = tuple[int | None, int | None, int | None, str]  # article, provision, tag, segment


def brute_force(version_id: int) -> dict[Key, tuple[int, int, int, int]]:
    cells: dict[Key, dict[str, object]] = defaultdict(lambda: {"n": 0, "who": set(), "e": 0, "s": 0})
    annotations = (
        Annotation.objects.filter(version_id=version_id, status="approved", deleted_at__isnull=True)
        .select_related("organization")
        .prefetch_related("tags", "endorsements")
    )
    for a in annotations:
        if a.attribution == "anonymous":
            # Its author's own unit, apart from their organisation; in no type or country segment.
            who = f"anonymous u{a.author_id}" if a.author_id else f"anonymous a{a.pk}"
            segments = [""]
        else:
            who = (
                f"o{a.organization_id}"
                if a.organization_id
                else (f"u{a.author_id}" if a.author_id else f"a{a.pk}")
            )
            segments = ["", f"type:{a.organization.type if a.organization else 'individual'}"]
            if a.organization and a.organization.country:
                segments.append(f"country:{a.organization.country}")
        tags = [t.pk for t in a.tags.all()] + [None]
        places = [(a.article_id, a.provision_id), (a.article_id, None), (None, None)]
        for article, provision in places:
            for tag in tags:
                for segment in segments:
                    cell = cells[(article, provision, tag, segment)]
                    cell["n"] += 1  # type: ignore[operator]
                    cell["who"].add(who)  # type: ignore[attr-defined]
                    cell["e"] += a.endorsements.count()  # type: ignore[operator]
                    cell["s"] += a.severity  # type: ignore[operator]
    return {k: (v["n"], len(v["who"]), v["e"], v["s"]) for k, v in cells.items()}  # type: ignore[arg-type,misc]


def stored(version_id: int) -> dict[Key, tuple[int, int, int, int]]:
    return {
        (h.article_id, h.provision_id, h.tag_id, h.segment): (
            h.annotations,
            h.organizations,
            h.endorsements,
            h.score,
        )
        for h in Heat.objects.filter(version_id=version_id)
    }
