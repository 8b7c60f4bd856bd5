"""Inventory API views: parse, call a selector or service, render. No business rules here."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from config.errors import InvalidInput
from config.identifiers import parse_uuid
from inventory import serializers as wire
from inventory.selectors.carriers import (
    get_carrier,
    get_connection,
    get_country_service_mapping,
    list_carriers,
    list_country_service_mappings,
)
from inventory.selectors.facilities import list_facilities, resolve_facility, resolve_facility_ids
from inventory.selectors.listings import get_listing, list_listings
from inventory.selectors.pages import STOCK_PAGE_SIZE_MAX, page_size
from inventory.selectors.reservations import get_reservation, list_reservations
from inventory.selectors.stocks import get_stock, list_stocks, stock_summaries
from inventory.services.carriers import (
    create_carrier,
    create_country_service_mapping,
    delete_country_service_mapping,
    modify_carrier,
    update_country_service_mapping,
)
from inventory.services.connections import connect_carrier, update_connection
from inventory.services.facilities import (
    create_facility,
    delete_facility,
    modify_facility,
    replace_facility,
)
from inventory.services.listings import (
    delete_listing,
    delete_listings,
    modify_listing,
    upsert_listings,
)
from inventory.services.stock_upsert import upsert_stocks
from inventory.services.stocks import create_stock, delete_stock, update_stock


def perms(model, **methods):
    """{"GET": ["inventory.view_<model>"], ...} for the given method → action pairs."""
    return {method: [f"inventory.{action}_{model}"] for method, action in methods.items()}


def validate(serializer_class, data, **kwargs):
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def validate_each(serializer_class, items, field, **kwargs):
    """Validate a list of sub-documents, naming the failing index (`actions[1].name`)."""
    validated = []
    for index, item in enumerate(items):
        serializer = serializer_class(data=item, **kwargs)
        if not serializer.is_valid():
            raise ValidationError({f"{field}[{index}]": serializer.errors})
        validated.append(serializer.validated_data)
    return validated


def query_list(request, name):
    """Array query parameters, exploded (`?a=1&a=2`) or comma separated (`?a=1,2`)."""
    values = []
    for raw in request.query_params.getlist(name):
        values.extend(part for part in raw.split(",") if part)
    return values


def query_enum(request, name, choices):
    values = query_list(request, name)
    allowed = {value for value, _ in choices}
    unknown = [value for value in values if value not in allowed]
    if unknown:
        raise InvalidInput(f"{name}: {', '.join(unknown)} not one of {', '.join(sorted(allowed))}.")
    return values


def query_bool(request, name):
    raw = request.query_params.get(name)
    if raw is None:
        return None
    if raw.lower() in ("true", "1"):
        return True
    if raw.lower() in ("false", "0"):
        return False
    raise InvalidInput(f"{name}: expected true or false.")


def page_info(items, has_next, after):
    return {
        "startCursor": str(items[0].id) if items else "",
        "endCursor": str(items[-1].id) if items else "",
        "hasNextPage": has_next,
        "hasPreviousPage": bool(after),
    }


# --- Facilities -----------------------------------------------------------------------------


class FacilityListView(APIView):
    required_permissions = perms("facility", GET="view", POST="add")

    @extend_schema(tags=["inventory: facilities"], responses=wire.StrippedFacilitiesSerializer)
    def get(self, request):
        facilities, total = list_facilities(
            statuses=query_enum(request, "status", wire.models.FacilityStatus.choices),
            types=query_enum(request, "type", wire.models.FacilityType.choices),
            tenant_facility_id=request.query_params.get("tenantFacilityId"),
            order_by=request.query_params.get("orderBy"),
            start_after_id=request.query_params.get("startAfterId"),
            size=page_size(request.query_params.get("size")),
        )
        facilities_data = wire.StrippedFacilitySerializer(facilities, many=True).data
        return Response({"facilities": facilities_data, "total": total})

    @extend_schema(
        tags=["inventory: facilities"],
        request=wire.FacilityInputSerializer,
        responses={201: wire.FacilitySerializer},
    )
    def post(self, request):
        data = validate(wire.FacilityInputSerializer, request.data, mode="create")
        facility = create_facility(data)
        return Response(wire.FacilitySerializer(facility).data, status=status.HTTP_201_CREATED)


class FacilityDetailView(APIView):
    required_permissions = perms(
        "facility", GET="view", PUT="change", PATCH="change", DELETE="delete"
    )

    @extend_schema(tags=["inventory: facilities"], responses=wire.FacilitySerializer)
    def get(self, request, facility_id):
        facility = resolve_facility(facility_id)
        return Response(wire.FacilitySerializer(facility).data)

    @extend_schema(
        tags=["inventory: facilities"],
        request=wire.FacilityForReplacementSerializer,
        responses=wire.FacilitySerializer,
    )
    def put(self, request, facility_id):
        data = validate(wire.FacilityInputSerializer, request.data, mode="replace")
        facility = replace_facility(facility_id, data)
        return Response(wire.FacilitySerializer(facility).data)

    @extend_schema(
        tags=["inventory: facilities"],
        request=wire.FacilityForModificationSerializer,
        responses=wire.FacilitySerializer,
    )
    def patch(self, request, facility_id):
        if isinstance(request.data, dict) and "actions" in request.data:
            body = validate(wire.FacilityPatchActionsSerializer, request.data)
            changes = validate_each(
                wire.FacilityModifyActionSerializer, body["actions"], "actions", mode="modify"
            )
            version = body["version"]
        else:
            changes = validate(wire.FacilityInputSerializer, request.data, mode="modify")
            version = changes.pop("version", None)
            if version is None:
                raise ValidationError({"version": ["This field is required."]})
        facility = modify_facility(facility_id, version, changes)
        return Response(wire.FacilitySerializer(facility).data)

    @extend_schema(tags=["inventory: facilities"], responses={200: None})
    def delete(self, request, facility_id):
        delete_facility(facility_id)
        return Response(status=status.HTTP_200_OK)


# --- Carriers and connections ---------------------------------------------------------------


class CarrierListView(APIView):
    required_permissions = perms("carrier", GET="view", POST="add")

    @extend_schema(tags=["inventory: carriers"], responses=wire.StrippedCarriersSerializer)
    def get(self, request):
        carriers, total = list_carriers(
            start_after_id=request.query_params.get("startAfterId"),
            size=page_size(request.query_params.get("size")),
        )
        carriers_data = wire.StrippedCarrierSerializer(carriers, many=True).data
        return Response({"carriers": carriers_data, "total": total})

    @extend_schema(
        tags=["inventory: carriers"],
        request=wire.CarrierForCreationSerializer,
        responses={201: wire.CarrierSerializer},
    )
    def post(self, request):
        data = validate(wire.CarrierInputSerializer, request.data, mode="create")
        carrier = create_carrier(data)
        return Response(wire.CarrierSerializer(carrier).data, status=status.HTTP_201_CREATED)


class CarrierDetailView(APIView):
    required_permissions = perms("carrier", GET="view", PATCH="change")

    @extend_schema(tags=["inventory: carriers"], responses=wire.CarrierSerializer)
    def get(self, request, carrier_id):
        return Response(wire.CarrierSerializer(get_carrier(carrier_id)).data)

    @extend_schema(
        tags=["inventory: carriers"],
        request=wire.CarrierPatchActionsSerializer,
        responses=wire.CarrierSerializer,
    )
    def patch(self, request, carrier_id):
        body = validate(wire.CarrierPatchActionsSerializer, request.data)
        actions = validate_each(
            wire.CarrierInputSerializer, body["actions"], "actions", mode="modify"
        )
        carrier = modify_carrier(carrier_id, body["version"], actions)
        return Response(wire.CarrierSerializer(carrier).data)


class CarrierConfigurationView(APIView):
    """Read-only view of the carrier's configuration: its country service mappings and the
    `version` that mapping writes send back as `carrierConfigurationVersion`."""

    required_permissions = perms("carrier", GET="view")

    @extend_schema(tags=["inventory: carriers"], responses={200: dict})
    def get(self, request, carrier_id):
        carrier = get_carrier(carrier_id)
        mappings = list_country_service_mappings(carrier)
        return Response(
            {
                "id": str(carrier.id),
                "carrierRef": str(carrier.id),
                "version": carrier.configuration_version,
                "returnLabel": False,
                "created": wire.serializers.DateTimeField().to_representation(carrier.created),
                "lastModified": wire.serializers.DateTimeField().to_representation(
                    carrier.last_modified
                ),
                "countryServiceMappings": wire.CountryServiceMappingSerializer(
                    mappings, many=True
                ).data,
            }
        )


class CountryServiceMappingListView(APIView):
    required_permissions = perms("carriercountryservicemapping", GET="view", POST="add")

    @extend_schema(
        tags=["inventory: carriers"], responses=wire.CountryServiceMappingSerializer(many=True)
    )
    def get(self, request, carrier_id):
        carrier = get_carrier(carrier_id)
        mappings = list_country_service_mappings(carrier)
        return Response(wire.CountryServiceMappingSerializer(mappings, many=True).data)

    @extend_schema(
        tags=["inventory: carriers"],
        request=wire.CountryServiceMappingInputSerializer,
        responses={201: wire.CountryServiceMappingSerializer},
    )
    def post(self, request, carrier_id):
        carrier = get_carrier(carrier_id)
        data = validate(wire.CountryServiceMappingInputSerializer, request.data)
        mapping = create_country_service_mapping(carrier, data)
        return Response(
            wire.CountryServiceMappingSerializer(mapping).data, status=status.HTTP_201_CREATED
        )


class CountryServiceMappingDetailView(APIView):
    required_permissions = perms(
        "carriercountryservicemapping", GET="view", PATCH="change", DELETE="delete"
    )

    @extend_schema(tags=["inventory: carriers"], responses=wire.CountryServiceMappingSerializer)
    def get(self, request, carrier_id, mapping_id):
        carrier = get_carrier(carrier_id)
        mapping = get_country_service_mapping(carrier, mapping_id)
        return Response(wire.CountryServiceMappingSerializer(mapping).data)

    @extend_schema(
        tags=["inventory: carriers"],
        request=wire.CountryServiceMappingInputSerializer,
        responses=wire.CountryServiceMappingSerializer,
    )
    def patch(self, request, carrier_id, mapping_id):
        carrier = get_carrier(carrier_id)
        data = validate(wire.CountryServiceMappingInputSerializer, request.data, partial=True)
        mapping = update_country_service_mapping(carrier, mapping_id, data)
        return Response(wire.CountryServiceMappingSerializer(mapping).data)

    @extend_schema(tags=["inventory: carriers"], responses={200: None})
    def delete(self, request, carrier_id, mapping_id):
        carrier = get_carrier(carrier_id)
        delete_country_service_mapping(carrier, mapping_id)
        return Response(status=status.HTTP_200_OK)


class FacilityCarrierListView(APIView):
    required_permissions = perms("facilitycarrierconnection", GET="view")

    @extend_schema(tags=["inventory: facilities"], responses=wire.StrippedCarriersSerializer)
    def get(self, request, facility_id):
        facility = resolve_facility(facility_id)
        carriers, total = list_carriers(
            facility=facility,
            start_after_id=request.query_params.get("startAfterId"),
            size=page_size(request.query_params.get("size")),
        )
        carriers_data = wire.StrippedCarrierSerializer(carriers, many=True).data
        return Response({"carriers": carriers_data, "total": total})


class FacilityCarrierConnectionView(APIView):
    required_permissions = perms("facilitycarrierconnection", GET="view", POST="add", PUT="change")

    @extend_schema(tags=["inventory: facilities"], responses=wire.ConnectionSerializer)
    def get(self, request, facility_id, carrier_ref):
        connection = get_connection(resolve_facility(facility_id), get_carrier(carrier_ref))
        return Response(wire.ConnectionSerializer(connection).data)

    @extend_schema(
        tags=["inventory: facilities"],
        request=wire.ConnectionInputSerializer,
        responses={201: wire.ConnectionSerializer},
    )
    def post(self, request, facility_id, carrier_ref):
        data = validate(wire.ConnectionInputSerializer, request.data, mode="create")
        connection = connect_carrier(facility_id, carrier_ref, data)
        return Response(wire.ConnectionSerializer(connection).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=["inventory: facilities"],
        request=wire.ConnectionForModificationSerializer,
        responses=wire.ConnectionSerializer,
    )
    def put(self, request, facility_id, carrier_ref):
        data = validate(wire.ConnectionInputSerializer, request.data, mode="modify")
        connection = update_connection(facility_id, carrier_ref, data)
        return Response(wire.ConnectionSerializer(connection).data)


# --- Listings -------------------------------------------------------------------------------


class ListingListView(APIView):
    required_permissions = perms("listing", GET="view", PUT="change", DELETE="delete")

    @extend_schema(tags=["inventory: listings"], responses=wire.StrippedListingsSerializer)
    def get(self, request, facility_id):
        facility = resolve_facility(facility_id)
        listings, total = list_listings(
            facility,
            tenant_article_ids=query_list(request, "tenantArticleIds"),
            scannable_code=request.query_params.get("scannableCode"),
            start_after_id=request.query_params.get("startAfterId"),
            size=page_size(request.query_params.get("size")),
        )
        return Response(
            {"listings": wire.ListingSerializer(listings, many=True).data, "total": total}
        )

    @extend_schema(
        tags=["inventory: listings"],
        request=wire.ListingsForReplacementSerializer,
        responses=wire.ListingBulkOperationResultSerializer(many=True),
    )
    def put(self, request, facility_id):
        body = validate(wire.ListingsForReplacementSerializer, request.data)
        items = validate_each(wire.ListingInputSerializer, body["listings"], "listings")
        results = upsert_listings(facility_id, items)
        return Response(
            [
                {"status": result, "listing": wire.ListingSerializer(listing).data}
                for listing, result in results
            ]
        )

    @extend_schema(tags=["inventory: listings"], responses={200: None})
    def delete(self, request, facility_id):
        delete_listings(facility_id)
        return Response(status=status.HTTP_200_OK)


class ListingDetailView(APIView):
    required_permissions = perms("listing", GET="view", PATCH="change", DELETE="delete")

    @extend_schema(tags=["inventory: listings"], responses=wire.ListingSerializer)
    def get(self, request, facility_id, tenant_article_id):
        listing = get_listing(resolve_facility(facility_id), tenant_article_id)
        return Response(wire.ListingSerializer(listing).data)

    @extend_schema(
        tags=["inventory: listings"],
        request=wire.ListingPatchActionsSerializer,
        responses=wire.ListingSerializer(many=True),
    )
    def patch(self, request, facility_id, tenant_article_id):
        body = validate(wire.ListingPatchActionsSerializer, request.data)
        actions = validate_each(
            wire.ListingInputSerializer, body["actions"], "actions", mode="modify"
        )
        listing = modify_listing(facility_id, tenant_article_id, body["version"], actions)
        # The reference answers PATCH with an array of listings.
        return Response([wire.ListingSerializer(listing).data])

    @extend_schema(tags=["inventory: listings"], responses={200: None})
    def delete(self, request, facility_id, tenant_article_id):
        delete_listing(facility_id, tenant_article_id)
        return Response(status=status.HTTP_200_OK)


# --- Stocks and reservations ----------------------------------------------------------------


class StockListView(APIView):
    required_permissions = perms("stock", GET="view", POST="add", PUT="change")

    @extend_schema(tags=["inventory: stocks"], responses=wire.StockPaginatedResultSerializer)
    def get(self, request):
        facility_reference = request.query_params.get("facilityRef") or request.query_params.get(
            "tenantFacilityId"
        )
        facility_id = resolve_facility(facility_reference).id if facility_reference else None
        after = request.query_params.get("startAfterId")
        stocks, total, has_next = list_stocks(
            facility_id=facility_id,
            tenant_article_ids=query_list(request, "tenantArticleId"),
            location_refs=query_list(request, "locationRef"),
            start_after_id=after,
            size=page_size(request.query_params.get("size"), maximum=STOCK_PAGE_SIZE_MAX),
        )
        return Response(
            {
                "stocks": wire.StockSerializer(stocks, many=True).data,
                "total": total,
                "pageInfo": page_info(stocks, has_next, after),
            }
        )

    @extend_schema(
        tags=["inventory: stocks"],
        request=wire.StockInputSerializer,
        responses={201: wire.StockSerializer},
    )
    def post(self, request):
        data = validate(wire.StockInputSerializer, request.data)
        stock = create_stock(data)
        return Response(wire.StockSerializer(stock).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=["inventory: stocks"],
        request=wire.StocksForUpsertSerializer,
        responses=wire.StockUpsertOperationResultSerializer(many=True),
    )
    def put(self, request):
        items = validate(wire.StocksForUpsertSerializer, request.data)["stocks"]
        results = upsert_stocks(items)
        serializer = wire.StockSerializer()
        return Response(
            [
                {"status": result, "stock": serializer.to_representation(stock)}
                for stock, result in results
            ]
        )


class StockDetailView(APIView):
    required_permissions = perms("stock", GET="view", PUT="change", DELETE="delete")

    @extend_schema(tags=["inventory: stocks"], responses=wire.StockSerializer)
    def get(self, request, stock_id):
        return Response(wire.StockSerializer(get_stock(stock_id)).data)

    @extend_schema(
        tags=["inventory: stocks"],
        request=wire.StockForUpdateSerializer,
        responses=wire.StockSerializer,
    )
    def put(self, request, stock_id):
        data = validate(wire.StockForUpdateSerializer, request.data)
        update_stock(stock_id, data)
        return Response(wire.StockSerializer(get_stock(stock_id)).data)

    @extend_schema(tags=["inventory: stocks"], responses={200: None})
    def delete(self, request, stock_id):
        delete_stock(stock_id)
        return Response(status=status.HTTP_200_OK)


class StockSummaryView(APIView):
    required_permissions = perms("stock", GET="view")

    @extend_schema(tags=["inventory: stocks"], responses=wire.StockSummariesSerializer)
    def get(self, request):
        facility_references = query_list(request, "facilityRefs")
        facility_ids = None
        if facility_references:
            resolved = resolve_facility_ids(facility_references)
            facility_ids = set(resolved.values())
        size = request.query_params.get("maxPageSize") or request.query_params.get("size")
        summaries, total = stock_summaries(
            tenant_article_ids=query_list(request, "tenantArticleIds"),
            facility_ids=facility_ids,
            facility_statuses=query_enum(
                request, "facilityStatus", wire.models.FacilityStatus.choices
            ),
            facility_service_types=query_enum(
                request, "facilityServiceTypes", wire.models.FacilityService.choices
            ),
            start_after_id=request.query_params.get("startAfterId"),
            size=page_size(size, maximum=STOCK_PAGE_SIZE_MAX),
        )
        return Response(
            {
                "stockSummaries": [
                    {
                        "article": {
                            "tenantArticleId": summary["tenant_article_id"],
                            "title": summary["title"],
                        },
                        "details": {
                            "stockOnHand": summary["value"],
                            "totalAmount": summary["value"],
                            "reserved": summary["reserved"],
                            "available": max(summary["available"], 0),
                            "availableOnStock": summary["available"],
                            "availableForPicking": summary["available"],
                            "availableToPromise": summary["available"],
                            "readyToPick": summary["available"],
                            "safetyStock": 0,
                            # All our stock is pickable and accessible (no storage traits).
                            "byTrait": {
                                "PICKABLE": summary["value"],
                                "ACCESSIBLE": summary["value"],
                            },
                        },
                        "includedFacilityRefs": summary["facility_ids"],
                    }
                    for summary in summaries
                ],
                "total": total,
            }
        )


class ReservationListView(APIView):
    required_permissions = perms("reservation", GET="view")

    @extend_schema(
        tags=["inventory: reservations"], responses=wire.ReservationsPaginatedResultSerializer
    )
    def get(self, request):
        facility_reference = request.query_params.get("facilityRef") or request.query_params.get(
            "tenantFacilityId"
        )
        facility_id = resolve_facility(facility_reference).id if facility_reference else None
        order_ref = request.query_params.get("orderRef")
        order_id = parse_uuid(order_ref) if order_ref else None
        if order_ref and order_id is None:
            return Response(
                {"reservations": [], "total": 0, "pageInfo": page_info([], False, None)}
            )
        after = request.query_params.get("after")
        reservations, total, has_next = list_reservations(
            facility_id=facility_id,
            tenant_article_ids=query_list(request, "tenantArticleId"),
            order_id=order_id,
            active=query_bool(request, "active"),
            after=after,
            size=page_size(request.query_params.get("size"), maximum=STOCK_PAGE_SIZE_MAX),
        )
        return Response(
            {
                "reservations": wire.ReservationSerializer(reservations, many=True).data,
                "total": total,
                "pageInfo": page_info(reservations, has_next, after),
            }
        )


class ReservationDetailView(APIView):
    required_permissions = perms("reservation", GET="view")

    @extend_schema(tags=["inventory: reservations"], responses=wire.ReservationSerializer)
    def get(self, request, reservation_id):
        reservation = get_reservation(reservation_id)
        return Response(wire.ReservationSerializer(reservation).data)
