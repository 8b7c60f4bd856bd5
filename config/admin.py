from django.contrib import admin

from config.models import IdempotencyKey

admin.site.site_header = "DOMS back office"
admin.site.site_title = "DOMS back office"
admin.site.index_title = "Dashboard"
# The order list is wide; staff reach the other screens from the dashboard and breadcrumbs.
admin.site.enable_nav_sidebar = False


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(admin.ModelAdmin):
    """Read-only: which requests were replayed, for support questions."""

    list_display = ["key", "endpoint", "user", "state", "response_status", "created", "expires_at"]
    list_filter = ["state", "endpoint"]
    list_select_related = ["user"]
    search_fields = ["key"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
