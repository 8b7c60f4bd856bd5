from rest_framework import serializers


class StrictSerializerMixin:
    """Reject fields the serializer does not know (`additionalProperties: false` in the
    contract) instead of silently dropping them."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


class StrictSerializer(StrictSerializerMixin, serializers.Serializer):
    pass


class WholeObjectSerializer(StrictSerializer):
    """A nested object that is always sent whole: its required fields stay required inside a
    partial update (PATCH), where DRF would otherwise skip them and leave `validate` to find
    them missing."""

    def run_validation(self, data=serializers.empty):
        if self.parent is None or data is serializers.empty:
            return super().run_validation(data)
        whole = type(self)(data=data)
        whole.is_valid(raise_exception=True)
        return whole.validated_data
