from django.urls import path

from focus import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
