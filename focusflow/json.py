"""The "sanitized JSON" of the seed: JSON columns accept Decimal, datetime and UUID values."""

from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder


class SanitizedJSONEncoder(DjangoJSONEncoder):
    """Like Django's encoder (datetimes as ISO strings, UUIDs as strings) but keeps numbers numbers."""

    def default(self, o):
        if isinstance(o, Decimal):
            return float(o)
        return super().default(o)
