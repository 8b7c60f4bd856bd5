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
    path("promises/checkoutoptions", views.CheckoutOptionsAllView.as_view()),
    path(
        "promises/checkoutoptions/delivery/earliest",
        views.CheckoutDeliveryEarliestView.as_view(),
    ),
    path(
        "promises/checkoutoptions/delivery/timeperiod",
        views.CheckoutDeliveryTimePeriodView.as_view(),
    ),
    path(
        "promises/checkoutoptions/delivery/timepoint",
        views.CheckoutDeliveryTimePointView.as_view(),
    ),
    path(
        "promises/checkoutoptions/collect/earliest",
        views.CheckoutCollectEarliestView.as_view(),
    ),
]
