"""POST /api/stocks/actions on the wire: `StockAction` (one `action`, chosen by its `name`) and
`StockActionResult`."""

from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers

from config.api.fields import StrictBooleanField, StrictCharField, StrictFloatField
from config.api.serializers import StrictSerializer
from inventory.serializers.stocks import StockInputSerializer
from inventory.serializers.wire import enum

MAX_IDS = 500
MAX_VERSIONLESS_STOCKS = 25


def _names(max_length=MAX_IDS, **kwargs):
    return serializers.ListField(
        child=StrictCharField(max_length=256), max_length=max_length, **kwargs
    )


class StockDeleteByLocationsSerializer(StrictSerializer):
    name = enum([("DELETE_BY_LOCATIONS", "DELETE_BY_LOCATIONS")])
    locationRefs = _names()


class StockDeleteByProductsSerializer(StrictSerializer):
    name = enum([("DELETE_BY_PRODUCTS", "DELETE_BY_PRODUCTS")])
    facilityRef = StrictCharField()
    tenantArticleIds = _names()


class StockDeleteByIdsSerializer(StrictSerializer):
    name = enum([("DELETE_BY_IDS", "DELETE_BY_IDS")])
    ids = _names()


class MoveStockToLocationOptionsSerializer(StrictSerializer):
    deleteFromStockIfZero = StrictBooleanField(required=False)


class StockMoveToLocationSerializer(StrictSerializer):
    name = enum([("MOVE_TO_LOCATION", "MOVE_TO_LOCATION")])
    fromStockId = StrictCharField()
    toLocationRef = StrictCharField(max_length=256)
    amount = StrictFloatField(min_value=0)
    options = MoveStockToLocationOptionsSerializer(required=False)


class VersionlessStockSerializer(StockInputSerializer):
    """One item of UPDATE_VERSIONLESS: `StockForCreationVersionless` (operationType CREATE:
    facility and article) or `StockForUpdateVersionless` (UPDATE: the stock's id), never a
    version (the write does not check one)."""

    operationType = enum([("CREATE", "CREATE"), ("UPDATE", "UPDATE")])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, allow_id=True, **kwargs)

    def get_fields(self):
        fields = super().get_fields()
        del fields["version"]
        return fields

    def run_validation(self, data=serializers.empty):
        # The plain-item fast path of bulk feeds does not know operationType.
        return serializers.Serializer.run_validation(self, data)

    def validate(self, attrs):
        operation = attrs.pop("operationType")
        if operation == "UPDATE" and not attrs.get("id"):
            raise serializers.ValidationError({"id": ["Required for operationType UPDATE."]})
        if operation == "CREATE" and attrs.get("id"):
            raise serializers.ValidationError({"id": ["Not allowed with operationType CREATE."]})
        return super().validate(attrs)


class VersionlessUpdateStockSerializer(StrictSerializer):
    name = enum([("UPDATE_VERSIONLESS", "UPDATE_VERSIONLESS")])
    stocks = VersionlessStockSerializer(many=True, max_length=MAX_VERSIONLESS_STOCKS)


STOCK_ACTIONS = {
    "DELETE_BY_LOCATIONS": StockDeleteByLocationsSerializer,
    "DELETE_BY_PRODUCTS": StockDeleteByProductsSerializer,
    "DELETE_BY_IDS": StockDeleteByIdsSerializer,
    "MOVE_TO_LOCATION": StockMoveToLocationSerializer,
    "UPDATE_VERSIONLESS": VersionlessUpdateStockSerializer,
}


class StockActionBodySerializer(StrictSerializer):
    """The body: one `action`, validated afterwards by the serializer its name chooses. The
    deprecated `actions` list is refused (one action per call, as the reference asks now)."""

    action = serializers.DictField(required=False)
    actions = serializers.ListField(required=False)

    def validate(self, attrs):
        if "actions" in attrs:
            raise serializers.ValidationError(
                {"actions": ["Deprecated: send one action in `action`."]}
            )
        if "action" not in attrs:
            raise serializers.ValidationError({"action": ["This field is required."]})
        return attrs


# --- Names for the OpenAPI schema ------------------------------------------------------------


class StockActionSerializer(serializers.Serializer):
    action = PolymorphicProxySerializer(
        component_name="StockActionChoice",
        serializers=STOCK_ACTIONS,
        resource_type_field_name="name",
    )


class StockActionResultSerializer(serializers.Serializer):
    name = StrictCharField()
    result = serializers.DictField()
