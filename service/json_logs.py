"""Structured logs: one JSON object a line, carrying the request each line was written for."""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
import re
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

# A request id a client may choose: what tracing headers and UUIDs use, short enough to log and index.
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

# Fields a log call may add with ``extra=`` (the access line does); anything else passed so is left out.
_EXTRA_FIELDS = ("status", "duration_ms", "client")


@dataclass
class RequestContext:
    """The request a log line belongs to. Authentication fills in the tenant; the route is known once matched."""

    request_id: str
    method: str
    route: str | None = None
    tenant: int | None = None


# Set by the request middleware for the whole request; worker threads running its dependencies get a copy of the
# context, which points at the same RequestContext, so a tenant found there shows on every later line.
current_request: ContextVar[RequestContext | None] = ContextVar("current_request", default=None)


def request_id_from(header: str | None) -> str:
    """The client's X-Request-ID when it is a sensible token, else a new one (never a client's arbitrary text)."""
    if header is not None and _VALID_REQUEST_ID.match(header):
        return header
    # 128 random bits as 32 hex digits, like a UUID's hex; an id needs to be unique, not unguessable, and
    # os.urandom (uuid4's source) is a system call that lets the scoring thread take the interpreter mid-request.
    return f"{random.getrandbits(128):032x}"


class JsonFormatter(logging.Formatter):
    """time, level, logger, message; request_id, method, route and tenant inside a request; status and duration_ms
    on access lines; exception with its traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        context = current_request.get()
        if context is not None:
            line["request_id"] = context.request_id
            line["method"] = context.method
            if context.route is not None:
                line["route"] = context.route
            if context.tenant is not None:
                line["tenant"] = context.tenant
        for name in _EXTRA_FIELDS:
            if name in record.__dict__:
                line[name] = record.__dict__[name]
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def log_config(log_format: str, level: str) -> dict[str, Any]:
    """A logging.config dictionary for the server: every logger (uvicorn's too) writes through one handler."""
    formatter = (
        {"()": f"{__name__}.JsonFormatter"}
        if log_format == "json"
        else {"format": "%(levelname)s %(name)s: %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": formatter},
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "formatter": "default", "stream": "ext://sys.stderr"}
        },
        "root": {"handlers": ["stderr"], "level": level},
        # uvicorn's loggers hand their lines to the root's handler instead of their own.
        "loggers": {name: {"handlers": [], "propagate": True, "level": level} for name in ("uvicorn", "uvicorn.error")},
    }
