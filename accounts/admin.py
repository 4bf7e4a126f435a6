from django.contrib import admin

from accounts.models import User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ("email", "display_name", "is_staff", "email_verified_at", "date_joined")
    search_fields = ("email", "display_name")
    exclude = ("password",)
