"""Demo accounts, organisations and annotations on the bundled treaty, clearly labelled as demo.

Idempotent: running it again changes nothing. Refuses to run with DEBUG off unless --force, so a
production site never grows demo content by accident.
"""

import secrets
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import MODERATORS_GROUP, Attribution, Membership, Organization, User
from annotations.models import Annotation
from annotations.moderation.policy import draft_policy_set
from annotations.moderation.services import moderate
from annotations.services import QuoteInput, annotation_create, endorsement_create, flag_create, reply_create
from treaty.models import DraftVersion

DEMO_DOMAIN = "demo.marginalia.invalid"  # .invalid can never receive mail (RFC 2606)
ORGANIZATIONS = [
    ("Demo Digital Rights Network", "ngo", "KE"),
    ("Demo Press Freedom Centre", "ngo", "BR"),
    ("Demo University Cyberlaw Lab", "academic", "DE"),
]
PEOPLE = [
    # email local part, display name, organisation index (None: none), moderator
    ("ngo", "Demo NGO commenter", 0, False),
    ("press", "Demo press commenter", 1, False),
    ("academic", "Demo academic commenter", 2, False),
    ("moderator", "Demo moderator", None, True),
]
# (author index, provision key, words quoted from that provision or None, tags, severity, position, comment)
ANNOTATIONS = [
    (
        0,
        "art-6.1",
        None,
        ["security-research"],
        3,
        "amend",
        "[Demo] Testing tools used by security researchers could fall under this offence; an"
        " explicit exemption for good-faith research is missing.",
    ),
    (
        1,
        "art-2",
        "without right",
        ["overbroad-scope", "freedom-of-expression"],
        2,
        "clarify",
        "[Demo] What counts as 'without right' is left to each Party; journalists reporting on"
        " leaks need a clear public-interest defence.",
    ),
    (
        2,
        "art-15.1",
        None,
        ["procedural-safeguards", "privacy"],
        2,
        "concern",
        "[Demo] The conditions and safeguards are described in general terms; independent"
        " authorisation should be spelled out.",
    ),
    (
        0,
        "art-21.1",
        None,
        ["surveillance-powers", "privacy"],
        3,
        "oppose",
        "[Demo] Real-time interception of content data is among the most intrusive powers and"
        " needs prior judicial authorisation.",
    ),
    (
        1,
        "art-20.1",
        None,
        ["surveillance-powers"],
        2,
        "concern",
        "[Demo] Real-time collection of traffic data reveals who talks to whom; proportionality"
        " limits should be explicit.",
    ),
    (
        2,
        "art-32",
        None,
        ["cross-border-data-access", "data-protection"],
        2,
        "clarify",
        "[Demo] Trans-border access with consent raises the question of who may lawfully consent"
        " and under which law.",
    ),
]


# Written after the draft turns to pre-moderation, so that they wait in the moderation queue:
# something to curate at once (README "Try the moderation console"). Whole paragraphs only: no quote.
PENDING = [
    (
        1,
        "art-2",
        ["overbroad-scope"],
        2,
        "clarify",
        "[Demo] Waiting for a moderator: is 'without right' defined anywhere?",
    ),
    (
        2,
        "art-4.1",
        ["security-research"],
        2,
        "concern",
        "[Demo] Waiting for a moderator: data interference and testing.",
    ),
    (
        0,
        "art-15.1",
        ["procedural-safeguards"],
        3,
        "concern",
        "[Demo] Waiting for a moderator: name the safeguards.",
    ),
    (1, "art-16.1", ["privacy"], 1, "clarify", "[Demo] Waiting for a moderator: how long is expeditious?"),
    (
        2,
        "art-29.1",
        ["cross-border-data-access"],
        2,
        "concern",
        "[Demo] Waiting for a moderator: preservation abroad.",
    ),
]


def accounts_file() -> Path:
    """The demo accounts and their passwords, for the laptop's owner (var/, never committed)."""
    return Path(settings.VAR_DIR) / "demo-accounts.txt"


class Command(BaseCommand):
    help = "Create demo accounts and annotations (labelled [Demo]) on the bundled treaty. Idempotent."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--treaty", default="budapest-convention")
        parser.add_argument("--force", action="store_true", help="run even with DEBUG off")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "seed_demo adds demo content; with DEBUG off pass --force if you really mean it."
            )
        version = DraftVersion.objects.filter(treaty__slug=options["treaty"], is_current=True).first()
        if version is None:
            raise CommandError(f"No current version of {options['treaty']!r}: import the treaty first.")
        if Annotation.objects.filter(version=version, body__startswith="[Demo]").exists():
            if not accounts_file().exists():
                # Passwords are stored only as hashes: new ones, so bin/run-dev can show them.
                self._write_accounts(self._reset_passwords())
            self.stdout.write("Demo content already present: nothing to do.")
            return
        with transaction.atomic():
            created = self._seed(version)
        self._write_accounts(created)
        self.stdout.write(self.style.SUCCESS("Demo content created. Demo accounts:"))
        for email, password in created:
            self.stdout.write(f"  {email}  {password}")

    def _write_accounts(self, credentials: list[tuple[str, str]]) -> None:
        # bin/run-dev prints these again once the site answers, where a newcomer looks for them.
        if not credentials:
            return
        path = accounts_file()
        path.write_text("".join(f"{email}  {password}\n" for email, password in credentials))
        path.chmod(0o600)

    def _reset_passwords(self) -> list[tuple[str, str]]:
        credentials = []
        for local, *_ in PEOPLE:
            user = User.objects.filter(email=f"{local}@{DEMO_DOMAIN}").first()
            if user is not None:
                password = secrets.token_urlsafe(12)
                user.set_password(password)
                user.save(update_fields=["password"])
                credentials.append((user.email, password))
        return credentials

    def _seed(self, version: DraftVersion) -> list[tuple[str, str]]:
        now = timezone.now()
        organizations = []
        for name, kind, country in ORGANIZATIONS:
            organization, _ = Organization.objects.get_or_create(
                name=name,
                defaults={
                    "slug": name.lower().replace(" ", "-"),
                    "type": kind,
                    "country": country,
                    "description": "A demo organisation: not a real group.",
                    "verified_at": now,
                    "verification_note": "demo content",
                },
            )
            organizations.append(organization)
        people, credentials = [], []
        for local, display_name, org_index, is_moderator in PEOPLE:
            email = f"{local}@{DEMO_DOMAIN}"
            user = User.objects.filter(email=email).first()
            if user is None:
                password = secrets.token_urlsafe(12)
                user = User.objects.create_user(
                    email, password, display_name=display_name, email_verified_at=now
                )
                credentials.append((email, password))
            if org_index is not None:
                Membership.objects.get_or_create(
                    user=user,
                    organization=organizations[org_index],
                    defaults={
                        "status": Membership.Status.ACTIVE,
                        "role": Membership.Role.ADMIN,
                        "decided_at": now,
                    },
                )
            if is_moderator:
                user.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
            people.append(user)
        made = []
        for author_index, key, quote, tags, severity, position, body in ANNOTATIONS:
            provision = version.provisions.filter(key=key).first()
            if provision is None or (quote and quote not in provision.text):
                continue  # another text without these words: skip rather than invent
            made.append(
                annotation_create(
                    author=people[author_index],
                    version=version,
                    provision_key=key,
                    quote=QuoteInput(exact=quote) if quote else None,
                    tags=tags,
                    severity=severity,
                    position=position,
                    body=body,
                    attribution=Attribution.ORGANIZATION,
                    proposed_text="[Demo] A proposed wording would be written here."
                    if position == "amend"
                    else "",
                )
            )
        if len(made) >= 2:
            endorsement_create(annotation=made[0], user=people[1])
            reply_create(annotation=made[0], author=people[2], body="[Demo] We share this concern.")
            moderate(item=made[0], moderator=people[3], action="feature")
            # A published item with an open flag: the queue offers "keep published, dismiss flags".
            flag_create(
                user=people[2], annotation=made[1], reason="misleading", note="[Demo] A flag to decide on."
            )
        self._pending(version, people)
        return credentials

    def _pending(self, version: DraftVersion, people: list[User]) -> None:
        """The draft under pre-moderation (logged like a moderator's change), then items to decide."""
        draft_policy_set(
            moderator=people[3],
            version=version,
            moderation="pre",
            verified_skip_queue=False,
            open_for_comment=True,
        )
        for author_index, key, tags, severity, position, body in PENDING:
            if not version.provisions.filter(key=key).exists():
                continue  # another text without this paragraph
            annotation_create(
                author=people[author_index],
                version=version,
                provision_key=key,
                tags=tags,
                severity=severity,
                position=position,
                body=body,
                attribution=Attribution.ORGANIZATION,
            )
