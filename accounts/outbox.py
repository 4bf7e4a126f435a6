"""The local outbox: on a laptop (DEBUG on, no EMAIL_URL) every email sent is stored under
var/outbox/ and readable in the browser at /dev/outbox/, decoded, with its links clickable.

The console backend printed quoted-printable text into the worker's log, where a confirmation
link came out split over three lines with `=` soft breaks: nobody could sign up under `make run`.
One short line per email in the terminal now says where to read it.
"""

import email
import email.policy
import logging
import re
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage as ParsedMessage
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse

BACKEND = "accounts.outbox.OutboxEmailBackend"
# Nanoseconds since the epoch (so names sort by time) and a random part: never a path.
MESSAGE_ID = re.compile(r"^\d{19}-[0-9a-f]{8}$")
LISTED = 50

logger = logging.getLogger("marginalia.outbox")


def outbox_active() -> bool:
    """The outbox is only ever shown on a development site that sends its mail into it."""
    return bool(settings.DEBUG) and settings.MAILERS.get("default", {}).get("BACKEND") == BACKEND


def outbox_dir() -> Path:
    mailers = cast(dict[str, dict[str, Any]], settings.MAILERS)
    options = mailers.get("default", {}).get("OPTIONS", {})
    return Path(options.get("path") or settings.VAR_DIR / "outbox")


class OutboxEmailBackend(BaseEmailBackend):
    def __init__(self, *args: Any, path: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.path = Path(path) if path else settings.VAR_DIR / "outbox"

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        self.path.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            message_id = f"{time.time_ns():019d}-{secrets.token_hex(4)}"
            # Written under a temporary name, then renamed: the page never reads half a message.
            partial = self.path / f".{message_id}.partial"
            partial.write_bytes(message.message().as_bytes())
            partial.rename(self.path / f"{message_id}.eml")
            where = f"{settings.SITE_URL}{reverse('outbox-message', args=[message_id])}"
            logger.info("email to %s: “%s”, read it at %s", ", ".join(message.to), message.subject, where)
        return len(email_messages)


@dataclass(frozen=True)
class StoredMessage:
    id: str
    sent_at: datetime
    subject: str
    sender: str
    to: str
    body: str


def _read(path: Path) -> StoredMessage:
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(parsed, ParsedMessage)
    part = parsed.get_body(preferencelist=("plain", "html"))
    body = part.get_content() if isinstance(part, ParsedMessage) else ""
    return StoredMessage(
        id=path.stem,
        sent_at=datetime.fromtimestamp(int(path.stem.split("-")[0]) / 1e9, tz=UTC),
        subject=str(parsed.get("Subject", "")),
        sender=str(parsed.get("From", "")),
        to=str(parsed.get("To", "")),
        body=body,
    )


def outbox_messages(limit: int = LISTED) -> list[StoredMessage]:
    """The newest messages first."""
    folder = outbox_dir()
    if not folder.is_dir():
        return []
    paths = sorted((p for p in folder.glob("*.eml") if MESSAGE_ID.match(p.stem)), reverse=True)
    return [_read(path) for path in paths[:limit]]


def outbox_message(message_id: str) -> StoredMessage | None:
    if not MESSAGE_ID.match(message_id):
        return None
    path = outbox_dir() / f"{message_id}.eml"
    return _read(path) if path.is_file() else None
