from django.urls import path

from events import views

urlpatterns = [
    path("subscriptions", views.SubscriptionListView.as_view(), name="subscriptions"),
    path(
        "subscriptions/<str:subscriptionId>",
        views.SubscriptionDetailView.as_view(),
        name="subscription-detail",
    ),
    path("supportedevents", views.SupportedEventsView.as_view(), name="supported-events"),
]
