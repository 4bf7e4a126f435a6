"""A proposed wording (position "amend") as a redline against the clause it would replace.

The clause is the quoted words when the annotation is on a span, else the whole provision's text.
An annotation on an article heading or a provision without text has nothing to compare: it shows
its wording plainly.
"""

from __future__ import annotations

from treaty.drafts.wordiff import Diff, word_diff

AMEND = "amend"  # Annotation.Position.AMEND, spelled here so exports' plain rows can use it too


def amended_clause(position: str, quote: str, provision_text: str) -> str:
    """The words a proposed wording would replace, or "" when it replaces nothing that is shown."""
    if position != AMEND:
        return ""
    return quote or provision_text


def amend_redline(position: str, proposed_text: str, quote: str, provision_text: str) -> Diff | None:
    clause = amended_clause(position, quote, provision_text)
    if not clause.strip() or not proposed_text.strip():
        return None
    return word_diff(clause, proposed_text)
