"""Finds the words of a template that a reader sees and nobody marked for translation.

A small scanner rather than Django's parser: it must see text between tags and inside attributes
(aria-label, title, alt, placeholder) and know which spans sit in {% translate %} or
{% blocktranslate %}. Used by tests/i18n/test_marked.py.
"""

import re
from dataclasses import dataclass

TEMPLATE_TOKEN = re.compile(r"({%.*?%}|{{.*?}}|{#.*?#})", re.DOTALL)
# Text a reader never sees, or that stays the same in every language.
UNSEEN = re.compile(
    r"<script\b.*?</script>|<style\b.*?</style>|<!--.*?-->|{% comment %}.*?{% endcomment %}", re.DOTALL
)
SEEN_ATTRIBUTES = ("aria-label", "title", "alt", "placeholder", "aria-description", "aria-roledescription")
LETTER = re.compile(r"[^\W\d_]")
# Words that are the same in every language: the site's name, units and symbols.
ALLOWED = {"Marginalia", "JSON", "CSV", "SVG", "API", "JSON-LD", "W3C", "ETS", "PDF", "OpenAPI", "URL"}


@dataclass(frozen=True)
class Unmarked:
    line: int
    text: str


def _blank_translated(source: str) -> str:
    """Replace everything inside {% blocktranslate %}…{% endblocktranslate %} and each
    {% translate %} with spaces (keeping line numbers), so what is left is unmarked."""

    def spaces(match: re.Match[str]) -> str:
        return re.sub(r"[^\n]", " ", match.group(0))

    source = re.sub(
        r"{%\s*blocktrans(?:late)?\b.*?{%\s*endblocktrans(?:late)?\s*%}", spaces, source, flags=re.DOTALL
    )
    source = UNSEEN.sub(spaces, source)
    # Every other template tag and variable is a boundary: what it prints is not this file's words.
    return TEMPLATE_TOKEN.sub(lambda m: "\x00" + spaces(m)[1:], source)


def _words(text: str) -> str | None:
    text = " ".join(text.replace("\x00", " ").split())
    if not LETTER.search(text):
        return None
    if all(word.strip("—–·.,:;()") in ALLOWED or not LETTER.search(word) for word in text.split()):
        return None
    if re.fullmatch(r"&[a-z]+;", text):
        return None
    return text


def unmarked_words(source: str) -> list[Unmarked]:
    blanked = _blank_translated(source)
    found: list[Unmarked] = []
    position = 0
    for tag in re.finditer(r"<[^>]*>", blanked):
        for run in blanked[position : tag.start()].split("\x00"):
            if words := _words(run):
                found.append(Unmarked(blanked.count("\n", 0, position) + 1, words))
        for name, value in re.findall(r'([\w-]+)="([^"]*)"', tag.group(0)):
            if name in SEEN_ATTRIBUTES and (words := _words(value)):
                found.append(Unmarked(blanked.count("\n", 0, tag.start()) + 1, f'{name}="{words}"'))
        position = tag.end()
    for run in blanked[position:].split("\x00"):
        if words := _words(run):
            found.append(Unmarked(blanked.count("\n", 0, position) + 1, words))
    return found
