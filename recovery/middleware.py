"""Request middleware of the desk."""

import time

from django.conf import settings

SESSION_REFRESHED_KEY = "_refreshed_at"


class SessionIdleRefreshMiddleware:
    """Extend the session's idle timeout at most once every `SESSION_REFRESH_SECONDS`.

    A counter session ends after `SESSION_COOKIE_AGE` idle seconds. Saving the
    session on every request (`SESSION_SAVE_EVERY_REQUEST`) did that with an
    UPDATE and a second COMMIT on every grant; here the session is saved (new
    expiry in the database and in the cookie) only when its last refresh is
    older than `SESSION_REFRESH_SECONDS`. So a session still ends at most
    `SESSION_COOKIE_AGE` seconds after the last click, never later (and at
    least `SESSION_COOKIE_AGE - SESSION_REFRESH_SECONDS` after it).
    Must come after SessionMiddleware: it marks the session before that one saves.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Only a session this request read (a logged-in page), and not one just ended (logout).
        if session is None or not session.accessed or session.is_empty():
            return response
        now = int(time.time())
        if session.modified or now - session.get(SESSION_REFRESHED_KEY, 0) >= settings.SESSION_REFRESH_SECONDS:
            session[SESSION_REFRESHED_KEY] = now
        return response


def session_refreshed_at_login(sender, request, user, **kwargs):
    """A login saves a new session: its idle clock starts now (`user_logged_in` receiver)."""
    if getattr(request, "session", None) is not None:
        request.session[SESSION_REFRESHED_KEY] = int(time.time())
