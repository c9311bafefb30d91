"""Dashboard pages (server-rendered)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from focus import selectors
from focusflow.people import own_person_id


@login_required
def dashboard(request):
    person_id = own_person_id(request)
    return render(
        request,
        "focus/dashboard.html",
        {
            "person_id": person_id,
            "active": selectors.active_session_for(person_id=person_id),
            "recent": selectors.session_list(person_id=person_id, state="ended")[:5],
        },
    )
