from django.http import HttpRequest
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from accounts.models import User


def signed_in_user(request: HttpRequest | Request) -> User:
    """The user of a request that the view's access rule (a permission class, `verified_required`,
    `moderator_required`) has already let through."""
    # Only narrows `User | AnonymousUser` for the type checker: anonymous requests never get here.
    assert isinstance(request.user, User)
    return request.user


class IsVerifiedOrReadOnly(BasePermission):
    """Anyone reads; only users with a confirmed email address write."""

    message = "Confirm your email address before contributing: we sent you a link when you signed up."

    def has_permission(self, request: Request, view: APIView) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return bool(request.user and request.user.is_authenticated and request.user.is_verified)


class IsVerified(IsVerifiedOrReadOnly):
    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_verified)


class IsModerator(BasePermission):
    message = "Only moderators can do this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_moderator)
