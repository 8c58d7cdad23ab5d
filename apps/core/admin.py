"""The admin kit: an admin whose adds and changes write through the app's services, and the
read-only admins (support looks rows up; changes go through the pages and the services)."""

from django.contrib import admin, messages
from django.db import transaction
from django.http import Http404, HttpResponseRedirect

from apps.core.errors import ApplicationError


class ServiceAdmin(admin.ModelAdmin):
    """Adds and changes call `create(request, obj, form)` / `update(request, obj, form)`, which
    call one service and return the saved row; the admin never saves the model itself. A rule
    the service refuses (ApplicationError) saves nothing and shows its message on the form's page.
    """

    def create(self, request, obj, form):
        raise NotImplementedError

    def update(self, request, obj, form):
        raise NotImplementedError

    @staticmethod
    def changed(form) -> dict:
        """The fields the form changed, as the service takes them."""
        return {name: form.cleaned_data[name] for name in form.changed_data}

    def save_model(self, request, obj, form, change):
        saved = self.update(request, obj, form) if change else self.create(request, obj, form)
        if saved is not obj:
            # The admin goes on with `obj` (its log entry, its redirect): make it the saved row.
            for field in obj._meta.concrete_fields:
                setattr(obj, field.attname, getattr(saved, field.attname))
            obj._state.adding = False
            obj._state.db = saved._state.db

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            with transaction.atomic():
                return super().changeform_view(request, object_id, form_url, extra_context)
        except ApplicationError as error:
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ListOnlyAdmin(ReadOnlyAdmin):
    """A list only: the object's own page would be titled with its str(), naming the child."""

    list_display_links = None

    def change_view(self, request, object_id, form_url="", extra_context=None):
        raise Http404("Looked up from the list")

    def history_view(self, request, object_id, extra_context=None):
        raise Http404("Looked up from the list")
