"""Every word a reader sees is marked for translation (issue 16 §1): in templates, and in the
Python that makes labels, choices, form help, messages and errors. A new unmarked string fails
here with its file and line."""

from pathlib import Path

import pytest

from tests.i18n.python_text import unmarked_strings
from tests.i18n.template_text import unmarked_words

ROOT = Path(__file__).resolve().parents[2]
# drf-spectacular's own Swagger UI page: it loads the third-party UI, which has no catalogue.
TEMPLATES_NOT_OURS = {"drf_spectacular/swagger_ui.html"}
TEMPLATES = sorted(
    path
    for path in (ROOT / "templates").rglob("*")
    if path.suffix in {".html", ".txt"}
    and str(path.relative_to(ROOT / "templates")) not in TEMPLATES_NOT_OURS
)
# Management commands speak to the operator in a terminal; migrations are history.
MODULES = sorted(
    path
    for package in ("accounts", "annotations", "treaty", "config")
    for path in (ROOT / package).rglob("*.py")
    if "migrations" not in path.parts and "management" not in path.parts
)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT / "templates")))
def test_template_words_are_marked(template: Path) -> None:
    found = unmarked_words(template.read_text(encoding="utf-8"))
    assert not found, "\n".join(f"{template.name}:{u.line}: {u.text!r}" for u in found)


@pytest.mark.parametrize("module", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_python_strings_a_reader_sees_are_marked(module: Path) -> None:
    found = unmarked_strings(module)
    assert not found, "\n".join(f"{module.relative_to(ROOT)}:{u.line}: {u.text!r}" for u in found)


def test_the_template_scanner_finds_unmarked_words() -> None:
    source = (
        '{% load i18n %}<h1>{% translate "Marked" %}</h1><p>Not marked {{ name }}</p>'
        '<a aria-label="Unmarked label" title="{% translate \'Marked\' %}">¶</a>'
        "{% blocktranslate %}Marked {{ name }}{% endblocktranslate %}<span>Marginalia</span>"
    )
    assert [u.text for u in unmarked_words(source)] == ["Not marked", 'aria-label="Unmarked label"']


def test_the_python_scanner_finds_unmarked_strings(tmp_path: Path) -> None:
    module = tmp_path / "sample.py"
    module.write_text(
        "from django.utils.translation import gettext as _\n"
        "class Colour(models.TextChoices):\n"
        '    RED = "red", "Red"\n'
        '    BLUE = "blue", _("Blue")\n'
        "def f(name):\n"
        '    raise ValidationError(f"No such name {name}.")\n'
        "def g():\n"
        '    messages.success(request, _("Saved."))\n'
        '    return {"detail": "Not found."}\n',
        encoding="utf-8",
    )
    assert [u.text for u in unmarked_strings(module)] == ["Red", "f'No such name {name}.'", "Not found."]
