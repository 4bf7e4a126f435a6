"""Counts and ages in words, as heat pages and the article margin show them."""

from datetime import datetime


def plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def age_text(then: datetime, now: datetime) -> str:
    """How long ago, shortly: 40 s ago, 3 min ago, 5 h ago, 2 days ago (shown beside an ISO <time>)."""
    seconds = max(0, int((now - then).total_seconds()))
    if seconds < 60:
        return f"{seconds} s ago"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 48 * 3600:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} days ago"


# --- What the request asks for --------------------------------------------------------------
