"""Log lines as JSON objects (LOG_FORMAT=json), one per line, each with the id of the request it
was written for. Loaded by settings.LOGGING; imports nothing of Django's models."""

import contextvars
import datetime
import logging

import orjson

# The X-Request-ID of the request being served in this thread (config/request_log.py sets it).
current_request_id = contextvars.ContextVar("current_request_id", default=None)


class JsonFormatter(logging.Formatter):
    """{"time", "level", "logger", "message", "request_id"?, ...the record's `fields`,
    "exception"?}."""

    def format(self, record):
        document = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = current_request_id.get()
        if request_id:
            document["request_id"] = request_id
        document.update(getattr(record, "fields", None) or {})
        if record.exc_info:
            document["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(document, default=str).decode()
