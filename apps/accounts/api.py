from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.serializers import MeOutputSerializer


class MeApi(APIView):
    """The signed-in user (or token owner): who they are, their organisation and role."""

    @extend_schema(responses=MeOutputSerializer)
    def get(self, request):
        return Response(MeOutputSerializer(request.user).data)
