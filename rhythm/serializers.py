from rest_framework import serializers

from focusflow.fields import InputSerializer, StrictFloatField
from rhythm.models import RhythmSample


def unit_field(**kwargs):
    return StrictFloatField(min_value=0.0, max_value=1.0, **kwargs)


class RhythmQuery(serializers.Serializer):
    person_id = serializers.UUIDField(required=False)


class RhythmUpdateInput(InputSerializer):
    person_id = serializers.UUIDField(required=False, allow_null=True)
    energy = unit_field(required=False, allow_null=True)
    stress = unit_field(required=False, allow_null=True)
    fatigue = unit_field(required=False, allow_null=True)


class RhythmSampleSerializer(serializers.ModelSerializer):
    class Meta:
        model = RhythmSample
        fields = ["energy", "stress", "fatigue", "source", "recorded_at"]


class RhythmStateSerializer(serializers.Serializer):
    person_id = serializers.UUIDField()
    energy = serializers.FloatField(allow_null=True)
    stress = serializers.FloatField(allow_null=True)
    fatigue = serializers.FloatField(allow_null=True)
    updated_at = serializers.DateTimeField(allow_null=True)
    emotion = serializers.DictField()
    focus_habit_strength = serializers.FloatField()
    history = RhythmSampleSerializer(many=True)
