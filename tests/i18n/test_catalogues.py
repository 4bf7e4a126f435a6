"""The catalogues of the five other UN languages are complete and match what is served: no
untranslated or fuzzy entry, every placeholder kept, and each committed .mo compiled from its .po
(the site runs from the .mo files; `make run` has no gettext to compile them)."""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils.translation import to_locale

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = [code for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
CATALOGUES = [
    ROOT / "locale" / to_locale(code) / "LC_MESSAGES" / f"{domain}.po"
    for code in LANGUAGES
    for domain in ("django", "djangojs")
]
PLACEHOLDER = re.compile(r"%\(\w+\)s|\{\w+\}")


def _id(path: Path) -> str:
    return f"{path.parts[-3]}/{path.name}"


def test_there_is_a_catalogue_for_each_language_but_english() -> None:
    assert sorted(LANGUAGES) == ["ar", "es", "fr", "ru", "zh-hans"]
    assert all(path.exists() for path in CATALOGUES), [str(p) for p in CATALOGUES if not p.exists()]


@pytest.mark.parametrize("path", CATALOGUES, ids=_id)
def test_every_entry_is_translated_and_none_is_fuzzy(path: Path) -> None:
    catalogue = polib.pofile(str(path))
    assert len(catalogue) > (10 if path.stem == "djangojs" else 500)  # the catalogue is not empty
    assert not catalogue.untranslated_entries(), [e.msgid for e in catalogue.untranslated_entries()][:10]
    assert not catalogue.fuzzy_entries(), [e.msgid for e in catalogue.fuzzy_entries()][:10]
    assert not catalogue.metadata_is_fuzzy
    assert not catalogue.obsolete_entries()


@pytest.mark.parametrize("path", CATALOGUES, ids=_id)
def test_placeholders_are_kept(path: Path) -> None:
    """A translation uses exactly the names its English has. Only the English plural endings
    (`%(organizations_plural)s`, which print "s") may be left out: other languages word the
    count their own way ("Организаций: 3")."""
    wrong = []
    for entry in polib.pofile(str(path)):
        english = set(PLACEHOLDER.findall(entry.msgid + entry.msgid_plural))
        # A real plural entry ({% blocktranslate count %}) has one translation per plural form of
        # the language: a form may leave out a name (Arabic's "one" form says no number), but no
        # form may add one, and the forms together use every name.
        forms = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        translated = set().union(*(set(PLACEHOLDER.findall(form)) for form in forms))
        missing = {name for name in english - translated if "plural" not in name}
        if translated - english or missing:
            wrong.append((entry.msgid, sorted(translated - english), sorted(missing)))
    assert not wrong, wrong[:10]


@pytest.mark.parametrize("path", CATALOGUES, ids=_id)
def test_the_committed_mo_file_is_compiled_from_the_po_file(path: Path) -> None:
    compiled = path.with_suffix(".mo")
    assert compiled.exists(), f"{compiled} is missing: run bin/compile-messages"
    source = {entry.msgid: _translation(entry) for entry in polib.pofile(str(path)) if _translation(entry)}
    served = {entry.msgid: _translation(entry) for entry in polib.mofile(str(compiled)) if entry.msgid}
    assert served == source, "the .mo file is stale: run bin/compile-messages"


def _translation(entry: polib.POEntry | polib.MOEntry) -> object:
    """What an entry translates to: its text, or its plural forms in order."""
    if entry.msgid_plural:
        return tuple(text for _, text in sorted(entry.msgstr_plural.items()))
    return entry.msgstr
