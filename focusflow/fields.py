"""Serializer pieces shared by the apps' APIs: numbers that refuse booleans, and input serializers
that refuse unknown keys (a typo such as "hr" must not be silently dropped)."""

from rest_framework import serializers


class StrictIntegerField(serializers.IntegerField):
    def to_internal_value(self, data):
        if isinstance(data, bool) or isinstance(data, float) and not data.is_integer():
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictFloatField(serializers.FloatField):
    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """Only JSON true/false (and null where allowed): "yes", 1 or "0" are mistakes, not booleans."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class RejectUnknownFields:
    """Mixin for serializers of request bodies: every key must be a known field."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(str(key) for key in data if key not in self.fields)
            if unknown:
                raise serializers.ValidationError({key: ["Unknown field."] for key in unknown})
        return super().to_internal_value(data)


class InputSerializer(RejectUnknownFields, serializers.Serializer):
    """Validates a request body: a JSON object whose keys are all known fields."""


def validated(serializer_class, data) -> dict:
    """Validate request data with an input serializer; a failure is a 400 with field messages."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
