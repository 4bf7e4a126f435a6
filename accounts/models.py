import hashlib
import unicodedata
from datetime import datetime
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django_countries.fields import CountryField

MODERATORS_GROUP = "moderators"


def normalize_email_address(email: str) -> str:
    """The form an address is stored and compared in: NFKC, trimmed, lower-cased.

    Two spellings of one mailbox must not become two accounts, so the whole address (not only
    the domain, as Django does) is folded.
    """
    return unicodedata.normalize("NFKC", email).strip().lower()


class Attribution(models.TextChoices):
    """Who a reader sees as the author of an annotation (DESIGN §3)."""

    PERSON = "person", gettext_lazy("My name and organisation")
    ORGANIZATION = "organization", gettext_lazy("My organisation only")
    ANONYMOUS = "anonymous", gettext_lazy("Anonymous (only moderators can see who wrote it)")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: object) -> "User":
        user = self.model(email=normalize_email_address(email), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username: str | None) -> "User":
        # Logging in looks the account up here (ModelBackend): addresses are stored normalised, so
        # the typed one must be too, or "Alice@Example.org" would not find alice@example.org.
        return self.get(email=normalize_email_address(username or ""))

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> "User":
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        fields.setdefault("email_verified_at", timezone.now())
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person with an account. Identified by email; shown by display name (or not at all)."""

    email = models.EmailField(max_length=254, unique=True)
    display_name = models.CharField(max_length=100, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    email_verified_at = models.DateTimeField(null=True, blank=True)
    # A new address waits here until its owner follows the link sent to it.
    pending_email = models.EmailField(max_length=254, blank=True)
    attribution_preference = models.CharField(
        max_length=20,
        choices=Attribution.choices,
        default=Attribution.PERSON,
        help_text=gettext_lazy("Default attribution of new annotations"),
    )

    # Email notifications (sent by the worker); each can be turned off from the profile.
    notify_on_decision = models.BooleanField(
        default=True, help_text=gettext_lazy("Email me when a moderator decides on my item")
    )
    notify_on_reply = models.BooleanField(
        default=True, help_text=gettext_lazy("Email me when someone replies to my annotation")
    )
    # The interface language chosen on the profile or with the switcher; applied at login and used
    # for the emails sent to this person. Blank: none chosen (the browser's language, then English).
    language = models.CharField(
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        default="",
        help_text=gettext_lazy("Interface language"),
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        constraints = [
            # Emails are compared case-insensitively; the database enforces it under races.
            models.UniqueConstraint(Lower("email"), name="accounts_user_unique_email_ci"),
        ]

    def __str__(self) -> str:
        return self.display_name or f"user {self.pk}"

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def is_moderator(self) -> bool:
        cached = getattr(self, "_is_moderator", None)
        if cached is None:
            cached = self.is_active and self.groups.filter(name=MODERATORS_GROUP).exists()
            self._is_moderator = cached
        return cached


class Organization(models.Model):
    class Type(models.TextChoices):
        NGO = "ngo", gettext_lazy("NGO")
        ACADEMIC = "academic", gettext_lazy("Academic")
        INDUSTRY = "industry", gettext_lazy("Industry")
        PROFESSIONAL_BODY = "professional_body", gettext_lazy("Professional body")
        INTERGOVERNMENTAL = "intergovernmental", gettext_lazy("Intergovernmental")
        OTHER = "other", gettext_lazy("Other")

    name = models.CharField(max_length=200)
    # The name folded for comparison (accounts.lookalike_names): one skeleton, one organisation.
    # Set by the services that create organisations; empty (NULL) only for rows made outside them.
    name_skeleton = models.CharField(max_length=400, unique=True, null=True, blank=True, editable=False)
    slug = models.SlugField(max_length=220, unique=True)
    type = models.CharField(max_length=30, choices=Type.choices)
    country = CountryField(blank=True)
    website = models.URLField(blank=True)
    description = models.TextField(blank=True, max_length=4000)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verification_note = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="accounts_organization_unique_name_ci"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None


class Membership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", gettext_lazy("Member")
        ADMIN = "admin", gettext_lazy("Admin")

    class Status(models.TextChoices):
        REQUESTED = "requested", gettext_lazy("Requested")
        ACTIVE = "active", gettext_lazy("Active")
        DECLINED = "declined", gettext_lazy("Declined")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    # Members are never listed publicly unless they opt in (commenters may be at risk).
    listed_publicly = models.BooleanField(default=False)
    requested_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # When the admin role was given. Empty for admins appointed before this was recorded: they
    # count as founder-era admins (accounts.services.organizations.is_founder_era_admin).
    admin_since = models.DateTimeField(null=True, blank=True)
    # A pending two-person change to the last founder-era admin: who asked for it, when, and what
    # ("remove" or "member"). A different admin or moderator must confirm it.
    change_proposed = models.CharField(max_length=10, blank=True)
    change_proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    change_proposed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization"], name="accounts_membership_unique_user_org"
            ),
        ]
        indexes = [
            # "Who are the admins / pending requests of this organisation?"
            models.Index(fields=["organization", "status", "role"], name="accounts_membership_org_status"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.organization_id} ({self.role}, {self.status})"

    @property
    def is_active_admin(self) -> bool:
        return self.status == self.Status.ACTIVE and self.role == self.Role.ADMIN


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the token is shown once, at creation."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(
        max_length=8, help_text=gettext_lazy("First characters, to recognise a token in a list")
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # Set at creation (settings.API_TOKEN_LIFETIME_DAYS); a forgotten token stops working by itself.
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["user"], condition=Q(revoked_at__isnull=True), name="accounts_apitoken_live"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()


class OrganizationEvent(models.Model):
    """Append-only log of decisions about an organisation (verification, membership)."""

    class Action(models.TextChoices):
        CREATED = "created"
        VERIFIED = "verified"
        UNVERIFIED = "unverified"
        MEMBER_ACCEPTED = "member_accepted"
        MEMBER_DECLINED = "member_declined"
        MEMBER_REMOVED = "member_removed"
        MEMBER_LEFT = "member_left"
        ROLE_CHANGED = "role_changed"
        # Two-person rule for the last founder-era admin (accounts.services.organizations).
        FOUNDER_CHANGE_PROPOSED = "founder_change_proposed"
        FOUNDER_CHANGE_CONFIRMED = "founder_change_confirmed"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=30, choices=Action.choices)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.organization_id} by {self.actor_id}"


class Suspension(models.Model):
    """A moderator's decision that an account (a user, or an organisation) may not write for a
    while. Its items stay as they are: pending ones pending, approved ones approved."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="suspensions"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="suspensions"
    )
    reason = models.TextField(max_length=2000, help_text=gettext_lazy("Shown to the account"))
    starts_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField(
        null=True, blank=True, help_text=gettext_lazy("Empty: until a moderator lifts it")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    lift_reason = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, organization__isnull=True)
                | Q(user__isnull=True, organization__isnull=False),
                name="accounts_suspension_one_account",
            ),
        ]
        indexes = [
            # "Is this user (organisation) suspended now?" on every write.
            models.Index(
                fields=["user"], condition=Q(lifted_at__isnull=True), name="accounts_susp_user_live"
            ),
            models.Index(
                fields=["organization"], condition=Q(lifted_at__isnull=True), name="accounts_susp_org_live"
            ),
        ]

    def __str__(self) -> str:
        who = f"user {self.user_id}" if self.user_id else f"organisation {self.organization_id}"
        return f"suspension of {who}"

    def is_in_force(self, now: "datetime | None" = None) -> bool:
        now = now or timezone.now()
        return (
            self.lifted_at is None and self.starts_at <= now and (self.ends_at is None or self.ends_at > now)
        )


class Appeal(models.Model):
    """The account's one appeal against one suspension."""

    class Status(models.TextChoices):
        PENDING = "pending", gettext_lazy("Waiting for a moderator")
        UPHELD = "upheld", gettext_lazy("Suspension upheld")
        GRANTED = "granted", gettext_lazy("Suspension lifted")

    # One-to-one: one appeal per decision, enforced by the database under races.
    suspension = models.OneToOneField(Suspension, on_delete=models.CASCADE, related_name="appeal")
    appellant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(max_length=4000)
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    outcome_reason = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            # The moderators' list: pending appeals, oldest first.
            models.Index(fields=["status", "created_at"], name="accounts_appeal_status"),
        ]

    def __str__(self) -> str:
        return f"appeal {self.pk} ({self.status})"


class SuspensionEvent(models.Model):
    """Append-only log of suspensions, lifts, appeals and their outcomes."""

    class Action(models.TextChoices):
        SUSPENDED = "suspended"
        LIFTED = "lifted"
        APPEALED = "appealed"
        APPEAL_UPHELD = "appeal_upheld"
        APPEAL_GRANTED = "appeal_granted"

    suspension = models.ForeignKey(Suspension, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} on suspension {self.suspension_id}"


class LoginFailureCount(models.Model):
    """Failed logins per account or address, kept here only while the cache (Redis) is down.

    accounts.login_throttle counts in the cache; this table is its fallback, so that an outage
    of Redis never switches the login limiter off (accounts.login_throttle_fallback). The key is
    a hash of the cache key: no address or email is stored.
    """

    key_hash = models.CharField(max_length=64, unique=True)
    failures = models.PositiveIntegerField(default=0)
    window_ends_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The purge of expired counts: DELETE … WHERE window_ends_at < now.
            models.Index(fields=["window_ends_at"], name="accounts_loginfailure_expiry"),
        ]

    def __str__(self) -> str:
        return f"{self.failures} failures ({self.key_hash[:8]}…)"
