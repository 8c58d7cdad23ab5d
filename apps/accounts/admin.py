from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from simple_history.admin import SimpleHistoryAdmin

from apps.accounts import services
from apps.accounts.models import Organisation, User
from apps.core.admin import ServiceAdmin


@admin.register(Organisation)
class OrganisationAdmin(ServiceAdmin, SimpleHistoryAdmin):
    list_display = ["name", "kind", "code"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]

    def create(self, request, obj, form):
        # A local authority created here gets the default escalation rules, as everywhere.
        data = form.cleaned_data
        settings = {name: data[name] for name in services.ORGANISATION_SETTINGS if name in data}
        return services.organisation_create(
            kind=data["kind"], name=data["name"], code=data["code"], **settings
        )

    def update(self, request, obj, form):
        return services.organisation_update(organisation=obj, **self.changed(form))


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email", "full_name", "organisation", "role"]


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(ServiceAdmin, BaseUserAdmin, SimpleHistoryAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    list_display = ["email", "full_name", "organisation", "role", "is_active"]
    list_filter = ["role", "organisation__kind", "is_active"]
    list_select_related = ["organisation"]
    search_fields = ["email", "full_name"]
    ordering = ["full_name"]
    actions = ["reset_two_factor"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["full_name", "job_title", "phone"]}),
        ("Organisation and role", {"fields": ["organisation", "role"]}),
        ("Status", {"fields": ["is_active", "is_staff", "is_superuser", "last_login"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "email",
                    "full_name",
                    "organisation",
                    "role",
                    "usable_password",
                    "password1",
                    "password2",
                ],
            },
        ),
    ]
    readonly_fields = ["last_login"]
    filter_horizontal = []

    def create(self, request, obj, form):
        data = form.cleaned_data
        return services.user_create(
            email=data["email"],
            full_name=data["full_name"],
            role=data["role"],
            organisation=data["organisation"],
            password=data.get("password1") if data.get("set_usable_password") else None,
        )

    def update(self, request, obj, form):
        # The admin (superusers only) has no version on its form: it saves over what it loaded.
        return services.user_update(
            actor=request.user, user=obj, expected_version=obj.version, **self.changed(form)
        )

    @admin.action(description="Reset two-factor sign-in (lost phone)")
    def reset_two_factor(self, request, queryset):
        count = sum(services.two_factor_device_reset(user=user) for user in queryset)
        self.message_user(request, f"Removed {count} authenticator device(s).", messages.SUCCESS)
