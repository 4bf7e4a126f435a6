from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView


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
