"""Errors raised by services. They know nothing of HTTP beyond the status they map to;
the API turns them into an `ApiError` body, the admin into a message."""


class ServiceError(Exception):
    status_code = 400

    def __init__(self, summary, description=None, *, version=None, request_version=None):
        super().__init__(summary)
        self.summary = summary
        self.description = description
        self.version = version
        self.request_version = request_version

    def as_api_error(self):
        item = {"summary": self.summary}
        if self.description:
            item["description"] = self.description
        if self.version is not None:
            item["version"] = self.version
        if self.request_version is not None:
            item["requestVersion"] = self.request_version
        return [item]


class InvalidInput(ServiceError):
    status_code = 400


class NotFound(ServiceError):
    status_code = 404


class VersionConflict(ServiceError):
    """The client sent a stale `version` (optimistic locking)."""

    status_code = 409

    def __init__(self, *, version, request_version, summary=None, description=None):
        super().__init__(
            summary or "Version conflict: the entity was modified in the meantime.",
            description
            or f"The current version is {version}, the request was based on {request_version}.",
            version=version,
            request_version=request_version,
        )


class Conflict(ServiceError):
    status_code = 409


class Unprocessable(ServiceError):
    status_code = 422


class ServiceUnavailable(ServiceError):
    """A store the request needs (not the database) does not answer: retry later."""

    status_code = 503


class PromiseExpired(NotFound):
    """Any action on a promise past its validUntil: as if the order did not exist."""

    def __init__(self):
        super().__init__("Order not found or expired.")
