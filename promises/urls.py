from django.urls import path

from promises import views

urlpatterns = [
    path("promises/deliverypromise", views.DeliveryPromiseView.as_view()),
    path("configurations/promises", views.PromisesConfigurationView.as_view()),
]
