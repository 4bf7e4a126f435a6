"""CSV cells a spreadsheet will not run: every CSV the site writes (exports, feedback, heatmap,
moderation log) neutralises formulas here (CSV injection)."""

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = frozenset(("=", "+", "-", "@", "\t", "\r"))


def csv_safe(value: object) -> object:
    """Text that would run as a formula gets a leading quote; anything else is left as it is."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value
