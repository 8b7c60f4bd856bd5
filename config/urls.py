from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from config.api.views import api_not_found

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    path("api/", include("orders.urls")),
    path("api/", include("inventory.urls")),
    path("api/", include("promises.urls")),
    path("api/", include("events.urls")),
    # Anything else under /api/ is an ApiError 404, not Django's HTML page.
    re_path(r"^api/", api_not_found),
]
