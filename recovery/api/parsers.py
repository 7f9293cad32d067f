"""JSON in: numbers become Decimal (money is never a float), and text a database cannot store is refused."""

from __future__ import annotations

import json
from decimal import Decimal

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class DecimalJSONParser(JSONParser):
    """`24.50` arrives as Decimal("24.50"), never as the float 24.499999…

    Also refused here, as malformed JSON (400), rather than a database error
    later: NaN/Infinity, and lone UTF-16 surrogates ("\\ud800"), which JSON
    allows but neither UTF-8 nor PostgreSQL can store.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", "utf-8")
        try:
            text = stream.read().decode(encoding)
            data = json.loads(text, parse_float=Decimal, parse_constant=_refuse_constant)
            json.dumps(data, default=str, ensure_ascii=False).encode("utf-8")
        except (ValueError, UnicodeError, RecursionError) as error:
            raise ParseError(f"The body is not valid JSON: {_reason(error)}") from None
        return data


def _refuse_constant(name):
    raise ValueError(f"{name} is not a number JSON allows")


def _reason(error) -> str:
    if isinstance(error, json.JSONDecodeError):
        return f"{error.msg} (line {error.lineno}, column {error.colno})."
    if isinstance(error, UnicodeError):
        return "it has characters that are not valid UTF-8 text."
    if isinstance(error, RecursionError):
        return "it is nested too deeply."
    return f"{error}."
