"""Wire shapes of the reference's Eventing API (SubscriptionForCreation, Subscription, ...)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.serializers import StrictSerializer
from events.models import EventName, TargetType

UNSUPPORTED_TARGET_TYPES = ("MICROSOFT_AZURE_SERVICE_BUS", "GOOGLE_CLOUD_PUB_SUB")


class HttpUrlField(serializers.URLField):
    default_error_messages = {"invalid": "Enter a valid http or https URL."}

    def to_internal_value(self, data):
        url = super().to_internal_value(data)
        if not url.lower().startswith(("http://", "https://")):
            self.fail("invalid")
        return url


class CallbackHeaderSerializer(StrictSerializer):
    key = serializers.CharField(max_length=255)
    value = serializers.CharField(max_length=4096, allow_blank=True, trim_whitespace=False)


class SubscriptionTargetWebhookSerializer(StrictSerializer):
    type = serializers.ChoiceField(choices=TargetType.choices)
    callbackUrl = HttpUrlField(max_length=2048)
    headers = CallbackHeaderSerializer(many=True, required=False, min_length=1)


@extend_schema_field(SubscriptionTargetWebhookSerializer)
class SubscriptionTargetField(serializers.JSONField):
    """`target` is anyOf WEBHOOK / Azure Service Bus / Google Pub/Sub; DOMS delivers webhooks."""

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError("Must be an object.")
        if data.get("type") in UNSUPPORTED_TARGET_TYPES:
            raise serializers.ValidationError(
                {"type": [f"{data['type']} is not supported; use WEBHOOK."]}
            )
        serializer = SubscriptionTargetWebhookSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class SubscriptionContextSerializer(StrictSerializer):
    type = serializers.ChoiceField(choices=["FACILITY", "FACILITY_GROUP"])
    values = serializers.ListField(child=serializers.CharField(), min_length=1)


class SubscriptionForCreationSerializer(StrictSerializer):
    name = serializers.CharField(max_length=255)
    event = serializers.ChoiceField(choices=EventName.values)
    target = SubscriptionTargetField(required=False)
    # Deprecated in the reference in favour of `target`, still accepted.
    callbackUrl = HttpUrlField(max_length=2048, required=False)
    headers = CallbackHeaderSerializer(many=True, required=False, min_length=1)
    contexts = SubscriptionContextSerializer(many=True, required=False)

    def validate(self, attrs):
        target = attrs.get("target")
        if target and ("callbackUrl" in attrs or "headers" in attrs):
            raise serializers.ValidationError(
                "Give either target or the deprecated callbackUrl/headers, not both."
            )
        if not target and "callbackUrl" not in attrs:
            raise serializers.ValidationError(
                {"target": ["Required: a WEBHOOK target with a callbackUrl."]}
            )
        return attrs

    def to_service_arguments(self):
        data = self.validated_data
        target = data.get("target") or {
            "callbackUrl": data["callbackUrl"],
            "headers": data.get("headers", []),
        }
        return {
            "name": data["name"],
            "event": data["event"],
            "callback_url": target["callbackUrl"],
            "headers": [dict(header) for header in target.get("headers", [])],
            "contexts": [
                {"type": context["type"], "values": list(context["values"])}
                for context in data.get("contexts", [])
            ],
        }


class SubscriptionTargetOutputSerializer(serializers.Serializer):
    type = serializers.CharField(source="target_type")
    callbackUrl = serializers.CharField(source="callback_url")
    headers = CallbackHeaderSerializer(many=True, required=False)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not data.get("headers"):
            data.pop("headers", None)
        return data


class SubscriptionSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    event = serializers.CharField()
    target = SubscriptionTargetOutputSerializer(source="*")
    callbackUrl = serializers.CharField(source="callback_url")
    headers = CallbackHeaderSerializer(many=True, required=False)
    contexts = SubscriptionContextSerializer(many=True, required=False)
    created = serializers.DateTimeField()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        # Empty arrays would break the contract's minItems: 1; absent means "none".
        for optional in ("headers", "contexts"):
            if not data.get(optional):
                data.pop(optional, None)
        return data


class SubscriptionsSerializer(serializers.Serializer):
    subscriptions = SubscriptionSerializer(many=True)
    total = serializers.IntegerField()


class SupportedEventSerializer(serializers.Serializer):
    event = serializers.CharField()
    description = serializers.CharField()


class SupportedEventsSerializer(serializers.Serializer):
    supportedEvents = SupportedEventSerializer(many=True)


class SubscriptionListQuerySerializer(serializers.Serializer):
    startAfterId = serializers.CharField(required=False)
    size = serializers.IntegerField(required=False, default=25, min_value=1, max_value=1000)
