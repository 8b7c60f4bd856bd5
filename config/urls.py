from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from config import health
from config.api.views import api_not_found
from config.metrics_endpoint import metrics_view

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
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
