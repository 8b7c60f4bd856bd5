from django.urls import path

from inventory.views import carriers, connections, facilities, listings, reservations, stocks

urlpatterns = [
    path("facilities", facilities.FacilityListView.as_view()),
    path("facilities/<str:facility_id>", facilities.FacilityDetailView.as_view()),
    path("facilities/<str:facility_id>/carriers", connections.FacilityCarrierListView.as_view()),
    path(
        "facilities/<str:facility_id>/carriers/<str:carrier_ref>",
        connections.FacilityCarrierConnectionView.as_view(),
    ),
    path("facilities/<str:facility_id>/listings", listings.ListingListView.as_view()),
    path(
        "facilities/<str:facility_id>/listings/<str:tenant_article_id>",
        listings.ListingDetailView.as_view(),
    ),
    path("carriers", carriers.CarrierListView.as_view()),
    path("carriers/<str:carrier_id>", carriers.CarrierDetailView.as_view()),
    path("carriers/<str:carrier_id>/configuration", carriers.CarrierConfigurationView.as_view()),
    path(
        "carriers/<str:carrier_id>/configuration/countryservicemappings",
        carriers.CountryServiceMappingListView.as_view(),
    ),
    path(
        "carriers/<str:carrier_id>/configuration/countryservicemappings/<str:mapping_id>",
        carriers.CountryServiceMappingDetailView.as_view(),
    ),
    path("stocks", stocks.StockListView.as_view()),
    # Before stocks/<id>, so "summaries" is not read as a stock id.
    path("stocks/summaries", stocks.StockSummaryView.as_view()),
    path("stocks/<str:stock_id>", stocks.StockDetailView.as_view()),
    path("reservations", reservations.ReservationListView.as_view()),
    path("reservations/<str:reservation_id>", reservations.ReservationDetailView.as_view()),
]
