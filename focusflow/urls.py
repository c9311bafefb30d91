from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from focus import api as focus_api
from focus import me_api
from focus.stream.api import SessionStreamApi
from focus.webhooks.api import WebhookEndpointViewSet
from focusflow import views
from planner.api import TaskViewSet
from planner.calendars.api import CalendarFeedViewSet
from rhythm.api import RhythmStateApi

router = SimpleRouter()
router.register("planner/tasks", TaskViewSet, basename="task")
router.register("api/webhooks", WebhookEndpointViewSet, basename="webhook")
router.register("api/me/calendars", CalendarFeedViewSet, basename="calendar")

handler400 = "focusflow.error_views.bad_request"
handler403 = "focusflow.error_views.permission_denied"
handler404 = "focusflow.error_views.not_found"
handler500 = "focusflow.error_views.server_error"

urlpatterns = [
    # The seed's paths, with or without a trailing slash.
    re_path(r"^focus/start/?$", focus_api.SessionStartApi.as_view(), name="focus-start"),
    re_path(r"^focus/ping/?$", focus_api.SessionPingApi.as_view(), name="focus-ping"),
    re_path(r"^focus/end/?$", focus_api.SessionEndApi.as_view(), name="focus-end"),
    re_path(r"^focus/pause/?$", focus_api.SessionPauseApi.as_view(), name="focus-pause"),
    re_path(r"^focus/resume/?$", focus_api.SessionResumeApi.as_view(), name="focus-resume"),
    re_path(r"^focus/respond/?$", focus_api.NudgeRespondApi.as_view(), name="focus-respond"),
    re_path(r"^api/me/learned/?$", focus_api.LearnedApi.as_view(), name="me-learned"),
    path("focus/sessions/", focus_api.SessionListApi.as_view(), name="session-list"),
    path("focus/sessions/<uuid:session_id>/", focus_api.SessionDetailApi.as_view(), name="session-detail"),
    path("focus/sessions/<uuid:session_id>/events/", focus_api.SessionEventsApi.as_view(), name="session-events"),
    # Live delivery (Server-Sent Events); focusflow/asgi.py serves it without a thread per stream.
    path("focus/sessions/<uuid:session_id>/stream", SessionStreamApi.as_view(), name="session-stream"),
    re_path(r"^rhythm/state/?$", RhythmStateApi.as_view(), name="rhythm-state"),
    re_path(r"^api/me/?$", views.MeApi.as_view(), name="me"),
    re_path(r"^api/me/preferences/?$", me_api.PreferencesApi.as_view(), name="me-preferences"),
    re_path(r"^api/me/export/?$", me_api.ExportApi.as_view(), name="me-export"),
    re_path(r"^api/me/delete/?$", me_api.DeleteApi.as_view(), name="me-delete"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's init script from its own URL: no inline script (CSP).
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="api/swagger_ui.html"),
        name="docs",
    ),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("focus.urls")),
    *router.urls,
]
