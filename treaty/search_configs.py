"""The PostgreSQL text search configuration of each language (issue 16 §3).

Arabic, English, French, Russian and Spanish have Snowball stemmers in PostgreSQL. Chinese is
written without spaces, so no configuration can split it into words: its texts use "simple",
whose one "word" per run of ideographs is useless, and are searched by substring instead
(treaty.selectors: trigram-indexed ILIKE, migration 0008). Any other language: "simple".
"""

from __future__ import annotations

SEARCH_CONFIGS = {"ar": "arabic", "en": "english", "es": "spanish", "fr": "french", "ru": "russian"}
# Every configuration a query may name: checked before it is written into SQL.
KNOWN_CONFIGS = frozenset({*SEARCH_CONFIGS.values(), "simple"})
# Languages searched by substring (no word boundaries in the script).
SUBSTRING_LANGUAGES = frozenset({"zh", "ja"})


def search_config_for(language: str) -> str:
    return SEARCH_CONFIGS.get(language.split("-")[0].lower(), "simple")


def searches_by_substring(language: str) -> bool:
    return language.split("-")[0].lower() in SUBSTRING_LANGUAGES
