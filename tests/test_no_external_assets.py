"""No page asks a reader's browser to fetch anything from another site: every stylesheet, script,
icon and preconnect in our templates and in the templates we override is a path on this site.
(The e2e tests watch real pages in Chromium for the same; this also covers pages they do not open.)"""

import re
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
ASSET = re.compile(
    r"<(?:link|script|img|iframe|source)\b[^>]*\b(?:href|src|srcset)=\"(?:https?:)?//", re.IGNORECASE
)


def test_templates_load_nothing_from_elsewhere() -> None:
    templates = sorted(REPO_ROOT.glob("**/templates/**/*.html"))
    templates = [t for t in templates if ".venv" not in t.parts and "var" not in t.parts]
    assert len(templates) > 20  # the project's own, found
    offenders = [
        f"{path.relative_to(REPO_ROOT)}: {match.group(0)}"
        for path in templates
        for match in ASSET.finditer(path.read_text(encoding="utf-8"))
    ]
    assert not offenders, "\n".join(offenders)
