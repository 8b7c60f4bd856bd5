from django.contrib.auth.models import Permission
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q
from rest_framework.permissions import BasePermission

READ_METHODS = ("GET", "HEAD", "OPTIONS")


class ApiPermission(BasePermission):
    """Django permissions per HTTP method, so staff grant API rights in the admin.

    Each view declares `required_permissions = {"GET": [...], "POST": [...], ...}`;
    HEAD and OPTIONS fall back to GET. A method the view does not list is refused.
    """

    def has_permission(self, request, view):
        user = request.user
        if not user or not user.is_authenticated:
            return False
        if not user.is_active:
            return False
        required = self.required_permissions(request, view)
        return user.is_superuser or set(required) <= api_permissions_of(user)

    @staticmethod
    def required_permissions(request, view):
        mapping = getattr(view, "required_permissions", None)
        if mapping is None:
            raise ImproperlyConfigured(f"{type(view).__name__} declares no required_permissions")
        method = "GET" if request.method in READ_METHODS else request.method
        if callable(mapping):
            return mapping(request)
        if method not in mapping and request.method != "OPTIONS":
            if not hasattr(view, request.method.lower()):
                # The view has no handler: let DRF answer 405, not 403.
                return []
            return ["__method_not_permitted__"]
        return mapping.get(method, [])


def api_permissions_of(user):
    """The user's own and group permissions as {"app_label.codename"}, in one query.

    Same answer as `user.get_all_permissions()` for the model backend, but one query instead of
    two on every API call; cached on the user object for the rest of the request.
    """
    if not hasattr(user, "_api_permissions"):
        rows = (
            Permission.objects.filter(Q(user=user) | Q(group__user=user))
            .values_list("content_type__app_label", "codename")
            .distinct()
        )
        user._api_permissions = {f"{app_label}.{codename}" for app_label, codename in rows}
    return user._api_permissions
