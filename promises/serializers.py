"""Wire shapes of the promise endpoints (camelCase, as the reference API names them)."""

from rest_framework import serializers

from config.api.serializers import StrictSerializer


class PromisesConfigurationSerializer(StrictSerializer):
    """`PromisesConfiguration`: output of GET/PUT, input of PUT (version + invalidAfterTime)."""

    id = serializers.SerializerMethodField()
    version = serializers.IntegerField(min_value=0)
    invalidAfterTime = serializers.CharField(source="invalid_after_time", max_length=64)
    created = serializers.DateTimeField(read_only=True)
    lastModified = serializers.DateTimeField(source="last_modified", read_only=True)

    def get_id(self, configuration) -> str:
        return "promises"

    def to_internal_value(self, data):
        # `id`, `created` and `lastModified` are generated: a client echoing them back from a
        # GET is accepted, they are simply not applied.
        if isinstance(data, dict):
            data = {
                key: value
                for key, value in data.items()
                if key not in ("id", "created", "lastModified")
            }
        return super().to_internal_value(data)
