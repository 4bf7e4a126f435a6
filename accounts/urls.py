from django.urls import path

from accounts.views import auth, language, my_annotations, organizations, profile, suspensions

app_name = "accounts"

urlpatterns = [
    path("language/", language.language_switch, name="set-language"),
    path("signup/", auth.signup, name="signup"),
    path("signup/done/", auth.signup_done, name="signup-done"),
    path("confirm-email/<str:token>/", auth.confirm_email, name="confirm-email"),
    path("confirm-email-again/", auth.resend_confirmation, name="resend-confirmation"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("password/reset/", auth.PasswordResetView.as_view(), name="password-reset"),
    path("password/reset/sent/", auth.PasswordResetDoneView.as_view(), name="password-reset-done"),
    path(
        "password/reset/<uidb64>/<token>/",
        auth.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "password/reset/complete/", auth.PasswordResetCompleteView.as_view(), name="password-reset-complete"
    ),
    path("password/change/", auth.PasswordChangeView.as_view(), name="password-change"),
    path("profile/", profile.profile, name="profile"),
    path("profile/email/", profile.email_change, name="email-change"),
    path("profile/tokens/", profile.token_create, name="token-create"),
    path("profile/tokens/<int:token_id>/revoke/", profile.token_revoke, name="token-revoke"),
    path("profile/my-data.json", profile.account_export_download, name="account-export"),
    path("profile/delete/", profile.account_delete_view, name="account-delete"),
    path("profile/annotations/", my_annotations.my_annotations, name="my-annotations"),
]

urlpatterns += [
    path("organisations/", organizations.organization_list, name="organization-list"),
    path("organisations/new/", organizations.organization_create, name="organization-create"),
    path(
        "organisations/verification/",
        organizations.organization_verification,
        name="organization-verification",
    ),
    path("organisations/<slug:slug>/", organizations.organization_detail, name="organization-detail"),
    path("organisations/<slug:slug>/join/", organizations.organization_join, name="organization-join"),
    path(
        "organisations/<slug:slug>/members/", organizations.organization_members, name="organization-members"
    ),
    path("organisations/<slug:slug>/verify/", organizations.organization_verify, name="organization-verify"),
    path("memberships/<int:pk>/decide/", organizations.membership_decide, name="membership-decide"),
    path("memberships/<int:pk>/role/", organizations.membership_role, name="membership-role"),
    path("memberships/<int:pk>/remove/", organizations.membership_remove, name="membership-remove"),
    path("memberships/<int:pk>/listing/", organizations.membership_listing, name="membership-listing"),
]

# Suspensions and appeals (issue 17 §3). The moderators' pages live here, beside organisation
# verification; the moderation console links to them.
urlpatterns += [
    path("moderation/suspensions/", suspensions.suspension_console, name="suspension-console"),
    path("moderation/suspensions/<int:pk>/lift/", suspensions.suspension_lift, name="suspension-lift"),
    path("moderation/appeals/", suspensions.appeal_console, name="appeal-console"),
    path("moderation/appeals/<int:pk>/decide/", suspensions.appeal_decide, name="appeal-decide"),
    path("suspensions/<int:pk>/", suspensions.suspension_detail, name="suspension-detail"),
]
