from django.urls import path

from promises import views

urlpatterns = [
    path("configurations/promises", views.PromisesConfigurationView.as_view()),
]
