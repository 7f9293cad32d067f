"""Request middleware of the desk."""

import re
import time
import uuid

from django.conf import settings
from django.utils.cache import patch_cache_control
from django.utils.log import log_response

from compensation.observability import request_id_var

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


REQUEST_ID_HEADER = "X-Request-ID"
# What a load balancer or a client may send as a request id: a UUID, nginx's $request_id,
# a trace id. Anything else (too long, spaces, quotes, newlines) is replaced, never logged.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")


class RequestIdMiddleware:
    """Give each request an id, echo it in `X-Request-ID` and put it on every log line it writes.

    The id comes from the request's own `X-Request-ID` when a proxy in front set a
    sane one (so its access log and ours share the id), else a new UUID4. It is on
    `request.request_id`, in the response header (a user can quote it when something
    failed) and, through `compensation.observability.request_id_var`, on every log
    record while the request is served (not while a streamed body is sent after
    the view returned). Must come first in MIDDLEWARE.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        offered = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = offered if SANE_REQUEST_ID.fullmatch(offered) else str(uuid.uuid4())
        request.request_id = request_id
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
            if response.status_code >= 400:
                # Django logs a 4xx/5xx response ("Not Found: /x") after the last middleware
                # has returned, when the id is gone; logged here (same call, same logger) it
                # carries the id, and log_response marks it so Django does not log it again.
                log_response("%s: %s", response.reason_phrase, request.path, response=response, request=request)
        finally:
            request_id_var.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


class PrivatePagesMiddleware:
    """Tell browsers and proxies never to keep a page: `Cache-Control: no-store, private`.

    Counter tablets are shared. A page with customer data (a search, a grant, the
    audit, an export) that a browser kept could be shown again with Back after the
    employee logged out, or be served by a proxy to someone else. Nearly every page
    of the desk shows customer data and the rest (login, errors) gains nothing from a
    cache, so every response Django itself makes gets `no-store` unless its view set a
    Cache-Control of its own (healthz, a future public page that may be cached).
    Static files are answered by WhiteNoise before this middleware (it sits after
    WhiteNoise in MIDDLEWARE) and keep their long-lived cache headers.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True, private=True)
        return response
