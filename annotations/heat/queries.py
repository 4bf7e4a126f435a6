"""The SQL that turns approved annotations into heat rows (DESIGN §6), for each database.

Every level counts from the annotations (on PostgreSQL, from sums of them per provision, tag and
who), never from finer heat rows: distinct organisations do not add up across provisions,
articles or tags. A cell's `organizations` is the number of distinct `who` among its rows: the
organisation, else the author (an author without one counts as one), else the annotation itself
(a former member's), as three integer classes (mod 3) that cannot collide; an anonymous
annotation is its author's own unit, negated, so that it never counts under an organisation, a
type or a country. It is counted in two
steps, one row per (tag, who) with its sums, then the rows of each cell: both hash aggregates,
where COUNT(DISTINCT) sorted every row again. A who's organisation type and country are looked up
after the first step, once per (tag, who) rather than per annotation. Sums are cast to integer at
each step: PostgreSQL sums bigints as numeric.

The SQL is assembled from constants of this module only; values go in as parameters.
"""

from typing import Literal

from annotations.models import Annotation

POSITIONS = [p.value for p in Annotation.Position]

COLUMNS = (
    "version_id, article_id, provision_id, tag_id, segment, annotations, organizations, endorsements, score, "
    + ", ".join(f"pos_{p}" for p in POSITIONS)
    + ", computed_at"
)
_METRICS = ["annotations", "organizations", "endorsements", "score", *(f"pos_{p}" for p in POSITIONS)]
_APPROVED = "a.status = 'approved' AND a.deleted_at IS NULL"
# An anonymous annotation counts as its author's own unit, apart from their organisation, and as
# a negative number: it never joins an organisation, so it never counts under an organisation
# type or a country (issue 17 §1; DESIGN §6 "Small cells"). Migration 0013's triggers use the same.
_WHO = (
    "CASE WHEN a.attribution = 'anonymous' THEN -COALESCE(a.author_id * 3 + 1, a.id * 3 + 2)"
    " ELSE COALESCE(a.organization_id * 3, a.author_id * 3 + 1, a.id * 3 + 2) END"
)
# '' for an anonymous unit: in no type and no country segment.
_WHO_ATTRIBUTES = (
    "CASE WHEN w.who < 0 THEN '' ELSE COALESCE(o.type, 'individual') END AS org_type, "
    "CASE WHEN w.who < 0 THEN '' ELSE COALESCE(o.country, '') END AS country"
)
_ORGANIZATION_JOIN = "LEFT JOIN accounts_organization o ON w.who %% 3 = 0 AND o.id = w.who / 3"
_WHO_SUMS = (
    "CAST(COUNT(*) AS INTEGER) AS n, CAST(SUM(endorsements) AS INTEGER) AS endorsements, "
    "CAST(SUM(severity) AS INTEGER) AS score, "
    + ", ".join(
        f"CAST(SUM(CASE WHEN position = '{p}' THEN 1 ELSE 0 END) AS INTEGER) AS pos_{p}" for p in POSITIONS
    )
)
_CELL_SUMS = (
    "CAST(SUM(n) AS INTEGER) AS annotations, CAST(COUNT(*) AS INTEGER) AS organizations, "
    "CAST(SUM(endorsements) AS INTEGER) AS endorsements, CAST(SUM(score) AS INTEGER) AS score, "
    + ", ".join(f"CAST(SUM(pos_{p}) AS INTEGER) AS pos_{p}" for p in POSITIONS)
)
_NO_ID = "CAST(NULL AS BIGINT)"  # typed: in a UNION of bare NULLs PostgreSQL would guess text

# What a statement recomputes: one article's rows, a version's totals (article NULL), or all of
# a version's rows. The stored rows each replaces, as a condition on the heat table h.
Scope = Literal["article", "totals", "version"]
_STORED: dict[Scope, str] = {
    "article": "h.version_id = %(version)s AND h.article_id = %(article)s",
    "totals": "h.version_id = %(version)s AND h.article_id IS NULL",
    "version": "h.version_id = %(version)s",
}


# --- PostgreSQL ------------------------------------------------------------------------------------
# The database keeps the sums of every (provision, tag, who), and of every (article, tag, who) as
# provision 0, as annotations change (HeatSums, migration 0010): a recompute reads those, already
# grouped by who, and only segments them (a version's own cells merge its articles' rows once
# more). Tag 0 there is "all tags", NULL here. Cells are computed one provision or article at a
# time (LATERAL): its rows are a few thousand and the hash tables stay in the CPU cache, where one
# table for a whole article missed it on every row. The three segments of a cell (everyone, one
# organisation type, one country) are one GROUPING SETS pass.
_SUMS_KEY = ("article_id", "provision_id", "tag_id", "who")
_SUMS_METRICS = ("n", "endorsements", "score", *(f"pos_{p}" for p in POSITIONS))
_SUMS_COLUMNS = ", ".join(("tag_id", "who", *_SUMS_METRICS))
_WHO_ROLL_UP = "CAST(SUM(n) AS INTEGER) AS n, CAST(SUM(endorsements) AS INTEGER) AS endorsements, " + (
    "CAST(SUM(score) AS INTEGER) AS score, "
    + ", ".join(f"CAST(SUM(pos_{p}) AS INTEGER) AS pos_{p}" for p in POSITIONS)
)


def _pg_sums(where: str) -> str:
    """The stored (tag, who) rows of one provision or article."""
    return f"(SELECT {_SUMS_COLUMNS} FROM annotations_heat_sums s WHERE {where})"


def _pg_segments(who_rows: str, article: str, provision: str) -> str:
    """The heat rows, every tag and segment, of `who_rows` (one row per tag and who)."""
    return f"""
SELECT {article} AS article_id, {provision} AS provision_id, NULLIF(tag_id, 0) AS tag_id,
       CASE GROUPING(org_type, country) WHEN 3 THEN '' WHEN 1 THEN 'type:' || org_type
            ELSE 'country:' || country END AS segment,
       {_CELL_SUMS}
FROM (SELECT w.*, {_WHO_ATTRIBUTES} FROM {who_rows} w {_ORGANIZATION_JOIN}) who_rows
GROUP BY GROUPING SETS ((tag_id), (tag_id, org_type), (tag_id, country))
HAVING (GROUPING(country) = 1 OR country <> '') AND (GROUPING(org_type) = 1 OR org_type <> '')"""


def _pg_per_row(units: str, sums: str, provision: str) -> str:
    """`_pg_segments` of each row p of treaty_provision that `units` selects."""
    cells = _pg_segments(_pg_sums(sums), "p.article_id", provision)
    return f"SELECT c.* FROM treaty_provision p CROSS JOIN LATERAL ({cells}) c WHERE {units}"


_IN_VERSION = "s.version_id = %(version)s"
_PROVISION_SUMS = f"{_IN_VERSION} AND s.article_id = p.article_id AND s.provision_id = p.id"
_ARTICLE_SUMS = f"{_IN_VERSION} AND s.article_id = p.id AND s.provision_id = 0"
_PG_ARTICLE_CELLS = "\nUNION ALL\n".join(
    (
        _pg_per_row("p.article_id = %(article)s", _PROVISION_SUMS, "p.id"),
        _pg_per_row("p.id = %(article)s", _ARTICLE_SUMS, _NO_ID),
    )
)
_VERSION_WHO = (
    f"(SELECT tag_id, who, {_WHO_ROLL_UP} FROM annotations_heat_sums s"
    f" WHERE {_IN_VERSION} AND s.provision_id = 0 GROUP BY tag_id, who)"
)
_PG_VERSION_CELLS = _pg_segments(_VERSION_WHO, _NO_ID, _NO_ID)
_PG_ALL_CELLS = "\nUNION ALL\n".join(
    (
        _pg_per_row("p.version_id = %(version)s AND p.article_id IS NOT NULL", _PROVISION_SUMS, "p.id"),
        _pg_per_row("p.version_id = %(version)s AND p.article_id = p.id", _ARTICLE_SUMS, _NO_ID),
        _PG_VERSION_CELLS,
    )
)

# The sums counted again from the annotations (`rebuild_heatmaps --recount`, a bulk load that
# turned triggers off): what the triggers of migration 0010 keep, recounted one provision at a time
# for the same reason as above, then compared with the stored rows like the heat below, so that
# only differences are written. (Deleting a version's sums and inserting them again made every
# insert check its key against the dead row it replaced: 16 s for a million annotations.)
_SUMS_FROM_ANNOTATIONS = f"""
SELECT p.article_id, p.id AS provision_id, w.*
FROM treaty_provision p CROSS JOIN LATERAL (
    SELECT tag_id, who, {_WHO_SUMS}
    FROM (
        SELECT a.severity, a.position, a.heat_endorsements AS endorsements, {_WHO} AS who,
               unnest(a.heat_tag_ids || 0) AS tag_id
        FROM annotations_annotation a
        WHERE a.version_id = p.version_id AND a.article_id = p.article_id AND a.provision_id = p.id
          AND {_APPROVED}
    ) tagged
    GROUP BY tag_id, who
) w
WHERE p.version_id = %(version)s AND p.article_id IS NOT NULL"""


def _same(left: str, right: str, columns: tuple[str, ...]) -> str:
    return " AND ".join(f"{left}.{c} = {right}.{c}" for c in columns)


PG_SUMS_RECOUNT = f"""
WITH provisions AS MATERIALIZED ({_SUMS_FROM_ANNOTATIONS}
),
fresh AS MATERIALIZED (
    SELECT * FROM provisions
    UNION ALL
    SELECT article_id, 0, tag_id, who, {_WHO_ROLL_UP} FROM provisions GROUP BY article_id, tag_id, who
),
stored AS MATERIALIZED (SELECT * FROM annotations_heat_sums WHERE version_id = %(version)s),
diff AS MATERIALIZED (
    SELECT {", ".join(f"COALESCE(f.{k}, s.{k}) AS {k}" for k in _SUMS_KEY)},
           f.who IS NOT NULL AS counted, s.who IS NOT NULL AS kept,
           ({", ".join(f"f.{m}" for m in _SUMS_METRICS)}) IS DISTINCT FROM
           ({", ".join(f"s.{m}" for m in _SUMS_METRICS)}) AS differs,
           {", ".join(f"f.{m}" for m in _SUMS_METRICS)}
    FROM fresh f FULL JOIN stored s ON {_same("f", "s", _SUMS_KEY)}
),
changed AS (
    UPDATE annotations_heat_sums h SET {", ".join(f"{m} = d.{m}" for m in _SUMS_METRICS)}
    FROM diff d
    WHERE d.counted AND d.kept AND d.differs AND h.version_id = %(version)s AND {_same("h", "d", _SUMS_KEY)}
    RETURNING 1
),
gone AS (
    DELETE FROM annotations_heat_sums h USING diff d
    WHERE NOT d.counted AND h.version_id = %(version)s AND {_same("h", "d", _SUMS_KEY)}
    RETURNING 1
),
added AS (
    INSERT INTO annotations_heat_sums (version_id, {", ".join(_SUMS_KEY)}, {", ".join(_SUMS_METRICS)})
    SELECT %(version)s, {", ".join(f"d.{k}" for k in _SUMS_KEY)}, {", ".join(f"d.{m}" for m in _SUMS_METRICS)}
    FROM diff d WHERE NOT d.kept
    RETURNING 1
)
SELECT (SELECT COUNT(*) FROM changed), (SELECT COUNT(*) FROM added), (SELECT COUNT(*) FROM gone)"""


# A recompute writes only what changed. The cells are computed (`fresh`) and matched with the
# stored rows in one join (`diff`): a stored row whose numbers differ is updated, a stored row no
# longer computed is deleted, a new cell is inserted, each by its id. One annotation approved
# changes a few dozen of an article's thousands of rows; rewriting all of them cost more than
# computing them, and left as many dead rows behind for vacuum. The roll-up rows (no provision, no
# tag) are always rewritten: their computed_at says when the scope was last recomputed.
def _pg_replace(cells: str, scope: str) -> str:
    """One statement replacing the heat rows `scope` selects (a condition on table h) with `cells`.
    It returns the number of cells, and of rows updated, inserted and deleted."""
    keys = ("article_id", "provision_id", "tag_id")
    same_cell = " AND ".join(
        [f"COALESCE(s.{k}, 0) = COALESCE(f.{k}, 0)" for k in keys] + ["s.segment = f.segment"]
    )
    kept = ", ".join(f"h.{m}" for m in _METRICS)
    stored = ", ".join(f"s.{m}" for m in _METRICS)
    computed = ", ".join(f"f.{m}" for m in _METRICS)
    return f"""
WITH fresh AS MATERIALIZED ({cells}
),
diff AS MATERIALIZED (
    SELECT s.id AS stored_id, f.segment IS NOT NULL AS computed,
           ({stored}) IS DISTINCT FROM ({computed})
               OR (f.provision_id IS NULL AND f.tag_id IS NULL) AS touched,
           f.*
    FROM fresh f FULL JOIN (
        SELECT h.id, h.article_id, h.provision_id, h.tag_id, h.segment, {kept}
        FROM annotations_heat h WHERE {scope}
    ) s ON {same_cell}
),
changed AS (
    UPDATE annotations_heat h SET {", ".join(f"{m} = d.{m}" for m in _METRICS)}, computed_at = %(now)s
    FROM (SELECT * FROM diff WHERE computed AND touched) d
    -- the ids again as an array: the planner then fetches those rows by primary key instead of
    -- hashing the article's every stored row against a handful
    WHERE h.id = ANY(ARRAY(SELECT stored_id FROM diff WHERE computed AND touched)) AND h.id = d.stored_id
    RETURNING 1
),
gone AS (
    DELETE FROM annotations_heat h WHERE h.id = ANY(ARRAY(SELECT stored_id FROM diff WHERE NOT computed))
    RETURNING 1
),
added AS (
    INSERT INTO annotations_heat ({COLUMNS})
    SELECT %(version)s, d.article_id, d.provision_id, d.tag_id, d.segment,
           {", ".join(f"d.{m}" for m in _METRICS)}, %(now)s
    FROM diff d WHERE d.stored_id IS NULL
    RETURNING 1
)
SELECT (SELECT COUNT(*) FROM fresh), (SELECT COUNT(*) FROM changed), (SELECT COUNT(*) FROM added),
       (SELECT COUNT(*) FROM gone)"""


# --- SQLite ----------------------------------------------------------------------------------------
# The small embedded case: no LATERAL, no GROUPING SETS, no copies of tags and endorsement counts
# on the annotation. The rows that count are joined from the tag table, one per (annotation, tag)
# plus one per annotation with tag NULL (all tags); the levels are CTEs; a recompute deletes the
# scope's rows and inserts them again.
_VERSION = "a.version_id = %(version)s"
_SQLITE_TAGGED = f"""
approved AS (
    SELECT a.id, a.article_id, a.provision_id, a.severity, a.position,
           (SELECT COUNT(*) FROM annotations_endorsement e WHERE e.annotation_id = a.id) AS endorsements,
           {_WHO} AS who
    FROM annotations_annotation a
    WHERE {{scope}} AND {_APPROVED}
),
tagged AS (
    SELECT ap.article_id, ap.provision_id, ap.severity, ap.position, ap.endorsements, ap.who,
           t.concerntag_id AS tag_id
    FROM approved ap JOIN annotations_annotation_tags t ON t.annotation_id = ap.id
    UNION ALL
    SELECT article_id, provision_id, severity, position, endorsements, who, NULL FROM approved
)"""
# who_rows: one row per (article, provision, tag, who); article_who and version_who merge the
# provisions, then the articles, the same way: distinct organisations never add up.
_SQLITE_LEVELS = f"""
who_rows AS (
    SELECT w.*, {_WHO_ATTRIBUTES}
    FROM (SELECT article_id, provision_id, tag_id, who, {_WHO_SUMS}
          FROM tagged GROUP BY article_id, provision_id, tag_id, who) w {_ORGANIZATION_JOIN}
),
article_who AS (
    SELECT article_id, tag_id, who, org_type, country, {_WHO_ROLL_UP}
    FROM who_rows GROUP BY article_id, tag_id, who, org_type, country
),
version_who AS (
    SELECT tag_id, who, org_type, country, {_WHO_ROLL_UP}
    FROM article_who GROUP BY tag_id, who, org_type, country
)"""


def _sqlite_cells(source: str, keys: str, article: str, provision: str) -> str:
    """The heat rows of one level (one row per who in `source`), for every segment."""
    segments = (
        ("''", "", ""),
        ("'type:' || org_type", ", org_type", " WHERE org_type <> ''"),
        ("'country:' || country", ", country", " WHERE country <> ''"),
    )
    return "\nUNION ALL\n".join(
        f"SELECT %(version)s, {article}, {provision}, tag_id, {segment}, {_CELL_SUMS}, %(now)s "
        f"FROM {source}{where} GROUP BY {keys}{key}"
        for segment, key, where in segments
    )


def _sqlite_insert(scan: str, *levels: tuple[str, str, str, str]) -> str:
    cells = "\nUNION ALL\n".join(_sqlite_cells(*level) for level in levels)
    tagged = _SQLITE_TAGGED.format(scope=scan)
    return f"WITH {tagged},{_SQLITE_LEVELS}\nINSERT INTO annotations_heat ({COLUMNS})\n{cells}"


_SQLITE_PROVISIONS = ("who_rows", "article_id, provision_id, tag_id", "article_id", "provision_id")
_SQLITE_ARTICLES = ("article_who", "article_id, tag_id", "article_id", "NULL")
_SQLITE_VERSION = ("version_who", "tag_id", "NULL", "NULL")
_SQLITE_ARTICLE_INSERT = _sqlite_insert(
    f"{_VERSION} AND a.article_id = %(article)s", _SQLITE_PROVISIONS, _SQLITE_ARTICLES
)
_SQLITE_TOTALS_INSERT = _sqlite_insert(_VERSION, _SQLITE_VERSION)
_SQLITE_ALL_INSERT = _sqlite_insert(_VERSION, _SQLITE_PROVISIONS, _SQLITE_ARTICLES, _SQLITE_VERSION)


# One statement per scope and database.
POSTGRESQL: dict[Scope, str] = {
    "article": _pg_replace(_PG_ARTICLE_CELLS, _STORED["article"]),
    "totals": _pg_replace(_PG_VERSION_CELLS, _STORED["totals"]),
    "version": _pg_replace(_PG_ALL_CELLS, _STORED["version"]),
}
SQLITE: dict[Scope, str] = {
    "article": _SQLITE_ARTICLE_INSERT,
    "totals": _SQLITE_TOTALS_INSERT,
    "version": _SQLITE_ALL_INSERT,
}
