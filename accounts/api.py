"""Accounts API: me, tokens, organisations (DESIGN §7)."""

from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied, Throttled, ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.login_throttle import client_ip, login_attempt_begin, login_success_record
from accounts.models import Membership, Organization, User
from accounts.permissions import IsVerified, IsVerifiedOrReadOnly, signed_in_user
from accounts.services import organizations as organization_services
from accounts.services.api_tokens import api_token_create
from accounts.services.users import attribution_preference_set
from config.api_errors import as_drf_validation_error, service_errors
from config.api_schema import error_responses


class OrganizationSerializer(serializers.ModelSerializer[Organization]):
    verified = serializers.BooleanField(source="is_verified", read_only=True)
    country = serializers.CharField(required=False, allow_blank=True)

    class Meta:
        model = Organization
        fields = ["slug", "name", "type", "country", "website", "description", "verified"]
        read_only_fields = ["slug", "verified"]
        # The uniqueness rule (case-insensitive) is enforced by the service with a clear message.
        extra_kwargs: dict[str, dict[str, object]] = {"name": {"validators": []}}


class MembershipSerializer(serializers.ModelSerializer[Membership]):
    organization = OrganizationSerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["organization", "role", "status", "listed_publicly"]


class MeSerializer(serializers.ModelSerializer[User]):
    verified = serializers.BooleanField(source="is_verified", read_only=True)
    moderator = serializers.BooleanField(source="is_moderator", read_only=True)
    memberships = MembershipSerializer(many=True, read_only=True)

    class Meta:
        model = User
        fields = ["email", "display_name", "attribution_preference", "verified", "moderator", "memberships"]
        read_only_fields = ["email"]


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: MeSerializer, **error_responses(403)}, summary="The logged-in user")
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(_me(request)).data)

    @extend_schema(
        request=MeSerializer,
        responses={200: MeSerializer, **error_responses(400, 403, 415)},
        summary="Change display name or default attribution",
    )
    def patch(self, request: Request) -> Response:
        user = _me(request)
        serializer = MeSerializer(user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        if "display_name" in serializer.validated_data:
            name = " ".join(serializer.validated_data["display_name"].split())
            if not name:
                raise ValidationError({"display_name": [_("The display name cannot be empty.")]})
            user.display_name = name
            user.save(update_fields=["display_name"])
        if "attribution_preference" in serializer.validated_data:
            attribution_preference_set(
                user=user, attribution=serializer.validated_data["attribution_preference"]
            )
        return Response(MeSerializer(_me(request)).data)


def _me(request: Request) -> User:
    return User.objects.prefetch_related("memberships__organization").get(pk=signed_in_user(request).pk)


class TokenRequestSerializer(serializers.Serializer[dict[str, str]]):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False)
    name = serializers.CharField(required=False, max_length=100, default="API token")


class TokenObtainView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[type] = []  # credentials are in the body; no CSRF needed

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            201: inline_serializer("TokenResponse", {"token": serializers.CharField()}),
            # A wrong email or password is 403 (no authentication scheme here to challenge with).
            **error_responses(400, 403, 415, 429),
        },
        summary="Exchange email and password for an API token",
    )
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        email, password = serializer.validated_data["email"], serializer.validated_data["password"]
        ip = client_ip(request.META)
        # Counted before the password is checked, so parallel guesses cannot outrun the limit.
        lockout = login_attempt_begin(email, ip)
        if lockout is not None:
            raise Throttled(wait=lockout.retry_after, detail=lockout.message)
        user = authenticate(request._request, username=email, password=password)
        if user is None:
            raise AuthenticationFailed(_("That email and password do not match an account."))
        login_success_record(email, ip)
        with service_errors():  # more live tokens than allowed: 400 naming the limit
            _token, key = api_token_create(user=user, name=serializer.validated_data["name"])  # type: ignore[arg-type]
        return Response({"token": key}, status=status.HTTP_201_CREATED)


class OrganizationListView(APIView):
    permission_classes = [IsVerifiedOrReadOnly]

    @extend_schema(responses=OrganizationSerializer(many=True), summary="Organisations")
    def get(self, request: Request) -> Response:
        organizations = Organization.objects.order_by("name")[:500]
        return Response(OrganizationSerializer(organizations, many=True).data)

    @extend_schema(
        request=OrganizationSerializer,
        responses={201: OrganizationSerializer, **error_responses(400, 403, 415)},
        summary="Create an organisation",
    )
    def post(self, request: Request) -> Response:
        serializer = OrganizationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            organization = organization_services.organization_create(
                creator=signed_in_user(request), **serializer.validated_data
            )
        except DjangoValidationError as error:
            raise as_drf_validation_error(error) from None
        return Response(OrganizationSerializer(organization).data, status=status.HTTP_201_CREATED)


class OrganizationJoinView(APIView):
    permission_classes = [IsVerified]

    @extend_schema(
        request=None,
        responses={201: MembershipSerializer, **error_responses(400, 403, 404)},
        summary="Ask to join an organisation",
    )
    def post(self, request: Request, slug: str) -> Response:
        organization = get_object_or_404(Organization, slug=slug)
        try:
            membership = organization_services.membership_request(
                user=signed_in_user(request), organization=organization
            )
        except DjangoValidationError as error:
            raise as_drf_validation_error(error) from None
        except DjangoPermissionDenied as error:
            raise PermissionDenied(str(error)) from None
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)
