"""The heat SQL of a draft with sibling languages (issue 16 §3; DESIGN §3 "Languages").

Decision: heat stays stored per version, with that version's provision ids, so that every reader
(heatmaps, the article page, the API) reads one version's rows exactly as before, at the same
number of queries. What changes is what a version's recompute counts: the approved annotations
written on *any* sibling version of its draft (same treaty and label) whose provision has the same
key. Each language version therefore holds the same pooled numbers under its own ids, and a write
marks the article dirty in every sibling (annotations.heat.services.heat_mark_dirty).

The alternative, aggregating once for a "primary" language and reading it from the others,
would have made every reader translate ids through keys (a join per heat query, and the API's
query budget with it), and which language is primary is no property of a treaty.

A who (organisation, author) that commented on two language versions of one provision counts
once: the per-version sums are rolled up by (tag, who) before the cells are counted. An
annotation whose provision key the version lacks (a text imported with --allow-key-mismatch)
counts in its own version only.

A draft without siblings keeps the single-version statements of annotations.heat.queries, which
bench/heat.py measures; these are used only when a sibling exists (aggregation.py decides).
"""

from annotations.heat.queries import (
    _APPROVED,
    _NO_ID,
    _SQLITE_ARTICLES,
    _SQLITE_LEVELS,
    _SQLITE_PROVISIONS,
    _SQLITE_VERSION,
    _STORED,
    _WHO,
    _WHO_ROLL_UP,
    COLUMNS,
    Scope,
    _pg_replace,
    _pg_segments,
    _sqlite_cells,
)

# The versions of the draft of %(version)s, itself included.
_SIBLINGS = (
    "(SELECT sv.id FROM treaty_draftversion sv JOIN treaty_draftversion tv"
    " ON sv.treaty_id = tv.treaty_id AND sv.label = tv.label WHERE tv.id = %(version)s)"
)
# Sibling provisions q with the key of p (a row of this version's treaty_provision).
_SIBLING_WITH_KEY = f"FROM treaty_provision q WHERE q.version_id IN {_SIBLINGS} AND q.key = p.key"
_SAME_KEY = f"SELECT q.version_id, q.article_id, q.id {_SIBLING_WITH_KEY}"
_SAME_KEY_UNIT = f"SELECT q.version_id, q.id {_SIBLING_WITH_KEY}"
# Every sibling unit (article, preamble, final clause, annex) whose key this version has.
_KEYED_UNITS = (
    "SELECT q.version_id, q.id FROM treaty_provision q JOIN treaty_provision tp"
    " ON tp.version_id = %(version)s AND tp.key = q.key"
    f" WHERE q.version_id IN {_SIBLINGS} AND q.id = q.article_id"
)


def _pooled_sums(where: str) -> str:
    """The (tag, who) rows of every sibling's sums that `where` selects, rolled up across them."""
    rows = f"SELECT tag_id, who, {_WHO_ROLL_UP} FROM annotations_heat_sums s"
    return f"({rows} WHERE {where} GROUP BY tag_id, who)"


def _pg_pooled_per_row(units: str, sums: str, provision: str) -> str:
    cells = _pg_segments(_pooled_sums(sums), "p.article_id", provision)
    return f"SELECT c.* FROM treaty_provision p CROSS JOIN LATERAL ({cells}) c WHERE {units}"


_PROVISION_SUMS = f"(s.version_id, s.article_id, s.provision_id) IN ({_SAME_KEY})"
_ARTICLE_SUMS = f"(s.version_id, s.article_id) IN ({_SAME_KEY_UNIT}) AND s.provision_id = 0"
_PG_ARTICLE_CELLS = "\nUNION ALL\n".join(
    (
        _pg_pooled_per_row("p.article_id = %(article)s", _PROVISION_SUMS, "p.id"),
        _pg_pooled_per_row("p.id = %(article)s", _ARTICLE_SUMS, _NO_ID),
    )
)
_PG_VERSION_CELLS = _pg_segments(
    _pooled_sums(f"(s.version_id, s.article_id) IN ({_KEYED_UNITS}) AND s.provision_id = 0"), _NO_ID, _NO_ID
)
_PG_ALL_CELLS = "\nUNION ALL\n".join(
    (
        _pg_pooled_per_row(
            "p.version_id = %(version)s AND p.article_id IS NOT NULL", _PROVISION_SUMS, "p.id"
        ),
        _pg_pooled_per_row("p.version_id = %(version)s AND p.article_id = p.id", _ARTICLE_SUMS, _NO_ID),
        _PG_VERSION_CELLS,
    )
)

# SQLite: the sibling annotations, each placed on this version's provision of the same key.
_SQLITE_TAGGED = f"""
approved AS (
    SELECT a.id, tp.article_id, tp.id AS provision_id, a.severity, a.position,
           (SELECT COUNT(*) FROM annotations_endorsement e WHERE e.annotation_id = a.id) AS endorsements,
           {_WHO} AS who
    FROM annotations_annotation a
    JOIN treaty_provision ap ON ap.id = a.provision_id
    JOIN treaty_provision tp ON tp.version_id = %(version)s AND tp.key = ap.key
    WHERE a.version_id IN {_SIBLINGS} AND {{scope}} AND {_APPROVED}
),
tagged AS (
    SELECT ap.article_id, ap.provision_id, ap.severity, ap.position, ap.endorsements, ap.who,
           t.concerntag_id AS tag_id
    FROM approved ap JOIN annotations_annotation_tags t ON t.annotation_id = ap.id
    UNION ALL
    SELECT article_id, provision_id, severity, position, endorsements, who, NULL FROM approved
)"""


def _sqlite_insert(scope: str, *levels: tuple[str, str, str, str]) -> str:
    cells = "\nUNION ALL\n".join(_sqlite_cells(*level) for level in levels)
    tagged = _SQLITE_TAGGED.format(scope=scope)
    return f"WITH {tagged},{_SQLITE_LEVELS}\nINSERT INTO annotations_heat ({COLUMNS})\n{cells}"


POSTGRESQL: dict[Scope, str] = {
    "article": _pg_replace(_PG_ARTICLE_CELLS, _STORED["article"]),
    "totals": _pg_replace(_PG_VERSION_CELLS, _STORED["totals"]),
    "version": _pg_replace(_PG_ALL_CELLS, _STORED["version"]),
}
SQLITE: dict[Scope, str] = {
    "article": _sqlite_insert("tp.article_id = %(article)s", _SQLITE_PROVISIONS, _SQLITE_ARTICLES),
    "totals": _sqlite_insert("1 = 1", _SQLITE_VERSION),
    "version": _sqlite_insert("1 = 1", _SQLITE_PROVISIONS, _SQLITE_ARTICLES, _SQLITE_VERSION),
}
