from django.urls import path

from promises import views

urlpatterns = [
    path("routing/sourcingoptions", views.SourcingOptionsView.as_view()),
    path(
        "routing/sourcingoptions/<str:sourcingOptionsRequestId>",
        views.SourcingOptionsDetailView.as_view(),
    ),
    path("promises/deliverypromise", views.DeliveryPromiseView.as_view()),
    path("configurations/promises", views.PromisesConfigurationView.as_view()),
]
