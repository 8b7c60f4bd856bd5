from django.urls import path

from inventory.views import carriers, connections, facilities, listings, reservations, stocks

# URL kwargs carry the reference's path parameter names, so the schema documents them as the
# reference does.
urlpatterns = [
    path("facilities", facilities.FacilityListView.as_view()),
    path("facilities/<str:facilityId>", facilities.FacilityDetailView.as_view()),
    path("facilities/<str:facilityId>/carriers", connections.FacilityCarrierListView.as_view()),
    # Before carriers/<carrierRef>, so "prioritization" is not read as a carrier.
    path(
        "facilities/<str:facilityId>/carriers/prioritization",
        connections.CarrierPrioritizationView.as_view(),
    ),
    path(
        "facilities/<str:facilityId>/carriers/<str:carrierRef>",
        connections.FacilityCarrierConnectionView.as_view(),
    ),
    path("facilities/<str:facilityId>/listings", listings.ListingListView.as_view()),
    path(
        "facilities/<str:facilityId>/listings/<str:tenantArticleId>",
        listings.ListingDetailView.as_view(),
    ),
    path(
        "facilities/<str:facilityId>/listings/<str:tenantArticleId>/partialstocks",
        listings.PartialStocksView.as_view(),
    ),
    path("listings", listings.ListingBulkUpsertView.as_view()),
    path("listings/search", listings.ListingSearchView.as_view()),
    path("carriers", carriers.CarrierListView.as_view()),
    path("carriers/<str:carrierId>", carriers.CarrierDetailView.as_view()),
    path("carriers/<str:carrierId>/configuration", carriers.CarrierConfigurationView.as_view()),
    path(
        "carriers/<str:carrierId>/configuration/countryservicemappings",
        carriers.CountryServiceMappingListView.as_view(),
    ),
    path(
        "carriers/<str:carrierId>/configuration/countryservicemappings/<str:countryServiceMappingId>",
        carriers.CountryServiceMappingDetailView.as_view(),
    ),
    path("stocks", stocks.StockListView.as_view()),
    # Before stocks/<stockId>, so "summaries", "search" and "actions" are not read as ids.
    path("stocks/summaries", stocks.StockSummaryView.as_view()),
    path("stocks/search", stocks.StockSearchView.as_view()),
    path("stocks/actions", stocks.StockActionsView.as_view()),
    path("stocks/<str:stockId>", stocks.StockDetailView.as_view()),
    path("reservations", reservations.ReservationListView.as_view()),
    path("reservations/search", reservations.ReservationSearchView.as_view()),
    path("reservations/actions", reservations.ReservationActionsView.as_view()),
    path("reservations/<str:reservationId>", reservations.ReservationDetailView.as_view()),
]
