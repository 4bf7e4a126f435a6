"""Small synthetic drafts for the drafts-over-time tests: placeholder sentences, never treaty text."""

from __future__ import annotations

from pathlib import Path


def draft_markdown(articles: dict[str, list[str] | str], *, title: str = "Placeholder treaty") -> str:
    """A Markdown draft: {"1": ["First placeholder paragraph.", ...], "2": "Lead-in only."}."""
    lines = [
        f"# {title}",
        "",
        "## Preamble",
        "",
        "The placeholder parties,",
        "",
        "Have agreed as follows:",
        "",
    ]
    for number, body in articles.items():
        lines += [f"##### Article {number} – Placeholder heading {number}", ""]
        if isinstance(body, str):
            lines += [body, ""]
        else:
            for index, text in enumerate(body, start=1):
                lines += [f"{index}. {text}", ""]
    return "\n".join(lines)


def write_draft(tmp_path: Path, name: str, articles: dict[str, list[str] | str]) -> Path:
    path = tmp_path / name
    path.write_text(draft_markdown(articles), encoding="utf-8")
    return path


FIRST = {
    "1": ["Alpha placeholder sentence about scope.", "Beta placeholder sentence about terms."],
    "2": ["Gamma placeholder sentence about duties of each party.", "Delta placeholder sentence on records."],
    "3": "Epsilon placeholder sentence that stays the same in every draft.",
}
SECOND = {
    "1": ["Alpha placeholder sentence about scope.", "Beta placeholder sentence about defined terms."],
    "2": ["Gamma placeholder sentence about duties of each party.", "Delta placeholder sentence on records."],
    "2a": "Zeta placeholder sentence added in the second draft.",
    "3": "Epsilon placeholder sentence that stays the same in every draft.",
}
