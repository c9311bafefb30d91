"""/api/me/calendars/: the signed-in person's own calendar feeds (list, add by URL or upload,
show, remove). Nobody sees another person's feeds, service accounts included: busy times never
leave the person's account. Adding by URL makes no request (a Celery task reads the feed)."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from focusflow.errors import InvalidInput
from focusflow.fields import validated
from focusflow.parsers import StrictJSONParser
from focusflow.people import PersonAccessAudit, own_person_id
from planner.calendars import services
from planner.calendars.expand import CalendarUnreadable
from planner.calendars.models import CalendarFeed
from planner.calendars.serializers import CalendarFeedSerializer, CalendarFeedUploadInput, CalendarFeedUrlInput


@extend_schema(tags=["calendars"])
class CalendarFeedViewSet(
    PersonAccessAudit,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = CalendarFeedSerializer
    parser_classes = [StrictJSONParser, MultiPartParser]
    lookup_value_regex = "[0-9a-fA-F-]{32,36}"

    def get_queryset(self):
        return CalendarFeed.objects.filter(person_id=own_person_id(self.request))

    @extend_schema(
        request={"application/json": CalendarFeedUrlInput, "multipart/form-data": CalendarFeedUploadInput},
        responses={201: CalendarFeedSerializer},
        description="Add a feed by `url` (JSON; read by a task soon after) or an uploaded `.ics` `file` (multipart; read at once).",
    )
    def create(self, request, *args, **kwargs):
        person_id = own_person_id(request)
        if not request.content_type.startswith("multipart/"):
            data = validated(CalendarFeedUrlInput, request.data)
            feed = services.feed_add_url(person_id=person_id, url=data["url"], name=data["name"])
        else:
            data = validated(CalendarFeedUploadInput, request.data)
            try:
                feed = services.feed_add_upload(person_id=person_id, text=data["file"], name=data["name"])
            except CalendarUnreadable as exc:
                raise InvalidInput("Invalid input.", errors={"file": [str(exc)]}) from None
        return Response(CalendarFeedSerializer(feed).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.feed_remove(feed=instance)
