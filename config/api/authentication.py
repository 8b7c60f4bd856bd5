from rest_framework.authentication import TokenAuthentication


class BearerTokenAuthentication(TokenAuthentication):
    """`Authorization: Bearer <token>`; the token belongs to a Django user
    (see the create_api_token command)."""

    keyword = "Bearer"
