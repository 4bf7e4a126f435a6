import getpass
from argparse import ArgumentParser
from typing import Any

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.lookalike_names import name_skeleton
from accounts.models import MODERATORS_GROUP, Membership, Organization, OrganizationEvent, User
from accounts.services.organizations import unique_slug
from accounts.services.users import email_clean


class Command(BaseCommand):
    help = "Create a verified user, optionally in an organisation and in the moderators group."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--password", help="default: asked interactively (never stored in shell history)")
        parser.add_argument("--display-name", default="")
        parser.add_argument("--organization", help="organisation name; created (verified) if missing")
        parser.add_argument("--moderator", action="store_true", help="add to the moderators group")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            email = email_clean(options["email"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        if User.objects.filter(email__iexact=email).exists():
            raise CommandError(f"A user with the address {email} already exists; nothing was changed.")
        password = options["password"]
        if password is None:
            password = getpass.getpass("Password: ")
        display_name = options["display_name"] or email.split("@")[0]
        candidate = User(email=email, display_name=display_name)
        try:
            validate_password(password, user=candidate)
        except ValidationError as error:
            raise CommandError("Password refused: " + " ".join(error.messages)) from error

        with transaction.atomic():
            user = User.objects.create_user(
                email, password, display_name=display_name, email_verified_at=timezone.now()
            )
            notes = []
            if options["organization"]:
                name = " ".join(options["organization"].split())
                organization = Organization.objects.filter(
                    Q(name__iexact=name) | Q(name_skeleton=name_skeleton(name))
                ).first()
                if organization is None:
                    organization = Organization.objects.create(
                        name=name,
                        name_skeleton=name_skeleton(name),
                        slug=unique_slug(name),
                        type=Organization.Type.NGO,
                        verified_at=timezone.now(),
                        verification_note="created by manage.py add_user",
                    )
                    # Verification is an audited decision (OrganizationEvent); here the site's
                    # administrator took it, outside the web site, so there is no actor.
                    OrganizationEvent.objects.create(
                        organization=organization,
                        action=OrganizationEvent.Action.VERIFIED,
                        note="created verified by manage.py add_user",
                    )
                    notes.append(f"created verified organisation {name!r}")
                is_first = not organization.memberships.filter(status=Membership.Status.ACTIVE).exists()
                Membership.objects.create(
                    user=user,
                    organization=organization,
                    status=Membership.Status.ACTIVE,
                    role=Membership.Role.ADMIN if is_first else Membership.Role.MEMBER,
                    decided_at=timezone.now(),
                )
                notes.append(f"{'admin' if is_first else 'member'} of {organization.name!r}")
            if options["moderator"]:
                user.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
                notes.append("moderator")
        detail = f" ({', '.join(notes)})" if notes else ""
        self.stdout.write(self.style.SUCCESS(f"Created verified user {email}{detail}."))
