"""Thin HTTP layer of the promise endpoints: parse, call a service, render."""

from rest_framework.response import Response
from rest_framework.views import APIView

from promises import services
from promises.serializers import PromisesConfigurationSerializer


class PromisesConfigurationView(APIView):
    required_permissions = {
        "GET": ["promises.view_promisesconfiguration"],
        "PUT": ["promises.change_promisesconfiguration"],
    }
    serializer_class = PromisesConfigurationSerializer

    def get(self, request):
        configuration = services.get_promises_configuration()
        return Response(PromisesConfigurationSerializer(configuration).data)

    def put(self, request):
        serializer = PromisesConfigurationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        configuration = services.update_promises_configuration(
            version=serializer.validated_data["version"],
            invalid_after_time=serializer.validated_data["invalid_after_time"],
            user=request.user,
        )
        return Response(PromisesConfigurationSerializer(configuration).data)
