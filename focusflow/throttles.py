"""Per-user request throttling; staff and service accounts act for many people and get more."""

from rest_framework.throttling import UserRateThrottle


class PersonRateThrottle(UserRateThrottle):
    """Throttle per authenticated user (anonymous calls are refused before this runs)."""

    scope = "user"

    def allow_request(self, request, view):
        self.scope = "staff" if getattr(request.user, "is_staff", False) else "user"
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)
