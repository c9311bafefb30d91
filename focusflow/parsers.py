"""A JSON parser that turns every malformed body into a 400 (or 413), never a 500.

DRF's own parser already refuses invalid JSON; this one also refuses what PostgreSQL or Python
would choke on later: the NUL character (jsonb and text reject it), nesting deep enough to
exhaust the recursion limit, NaN/Infinity, and bodies over DATA_UPLOAD_MAX_MEMORY_SIZE.
"""

import json

from django.conf import settings
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 32


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Request body is too large."
    default_code = "too_large"


def _reject_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def check_json_value(value, max_depth: int = MAX_DEPTH) -> None:
    """Raise ParseError if value nests deeper than max_depth or holds a NUL character."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > max_depth:
            raise ParseError(f"JSON nests deeper than {max_depth} levels.")
        if isinstance(item, str):
            if "\x00" in item:
                raise ParseError("JSON strings may not contain the NUL character (\\u0000).")
        elif isinstance(item, dict):
            for key, child in item.items():
                stack.append((key, depth))
                stack.append((child, depth + 1))
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        request = (parser_context or {}).get("request")
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0) if request is not None else 0
        except ValueError:
            declared = 0
        if declared > limit:
            raise RequestTooLarge(f"Request body is larger than {limit} bytes.")
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise RequestTooLarge(f"Request body is larger than {limit} bytes.")
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = raw.decode(encoding)
            data = json.loads(text, parse_constant=_reject_constant)
        except RecursionError:
            raise ParseError(f"JSON nests deeper than {MAX_DEPTH} levels.")
        except (UnicodeDecodeError, LookupError):
            raise ParseError("Request body is not valid UTF-8.")
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}")
        check_json_value(data)
        return data
