from django.core.exceptions import ImproperlyConfigured
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
        return user.is_active and user.has_perms(self.required_permissions(request, view))

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
