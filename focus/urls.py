"""Dashboard pages. The API lives under /focus/ (focusflow/urls.py); these pages stay outside it."""

from django.urls import path

from focus import preferences_views, views

urlpatterns = [
    path("", views.home, name="dashboard"),
    path("start/", views.session_start, name="dashboard-start"),
    path("sessions/<uuid:session_id>/", views.session_live, name="dashboard-live"),
    path("sessions/<uuid:session_id>/events/", views.session_feed, name="dashboard-feed"),  # the feed's updates
    path("sessions/<uuid:session_id>/ping/", views.session_ping, name="dashboard-ping"),
    path("sessions/<uuid:session_id>/end/", views.session_end, name="dashboard-end"),
    path("sessions/<uuid:session_id>/pause/", views.session_pause, name="dashboard-pause"),
    path("sessions/<uuid:session_id>/resume/", views.session_resume, name="dashboard-resume"),
    path("respond/", views.nudge_respond, name="dashboard-respond"),
    path("learned/reset/", views.learned_reset, name="dashboard-learned-reset"),
    path("sessions/<uuid:session_id>/summary/", views.session_summary, name="dashboard-summary"),
    path("history/", views.history, name="dashboard-history"),
    path("history.csv", views.history_csv, name="dashboard-history-csv"),
    path("preferences/", preferences_views.preferences_page, name="dashboard-preferences"),
    path("preferences/delete/", preferences_views.account_delete, name="dashboard-account-delete"),
    path("preferences/calendars/", preferences_views.calendar_add, name="dashboard-calendar-add"),
    path(
        "preferences/calendars/<uuid:feed_id>/remove/",
        preferences_views.calendar_remove,
        name="dashboard-calendar-remove",
    ),
]
