from django.urls import path

from inventory import views

urlpatterns = [
    path("facilities", views.FacilityListView.as_view()),
    path("facilities/<str:facility_id>", views.FacilityDetailView.as_view()),
    path("facilities/<str:facility_id>/carriers", views.FacilityCarrierListView.as_view()),
    path(
        "facilities/<str:facility_id>/carriers/<str:carrier_ref>",
        views.FacilityCarrierConnectionView.as_view(),
    ),
    path("facilities/<str:facility_id>/listings", views.ListingListView.as_view()),
    path(
        "facilities/<str:facility_id>/listings/<str:tenant_article_id>",
        views.ListingDetailView.as_view(),
    ),
    path("carriers", views.CarrierListView.as_view()),
    path("carriers/<str:carrier_id>", views.CarrierDetailView.as_view()),
    path("carriers/<str:carrier_id>/configuration", views.CarrierConfigurationView.as_view()),
    path(
        "carriers/<str:carrier_id>/configuration/countryservicemappings",
        views.CountryServiceMappingListView.as_view(),
    ),
    path(
        "carriers/<str:carrier_id>/configuration/countryservicemappings/<str:mapping_id>",
        views.CountryServiceMappingDetailView.as_view(),
    ),
    path("stocks", views.StockListView.as_view()),
    # Before stocks/<id>, so "summaries" is not read as a stock id.
    path("stocks/summaries", views.StockSummaryView.as_view()),
    path("stocks/<str:stock_id>", views.StockDetailView.as_view()),
    path("reservations", views.ReservationListView.as_view()),
    path("reservations/<str:reservation_id>", views.ReservationDetailView.as_view()),
]
