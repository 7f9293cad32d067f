"""Rate limiting per token, counted in the database: 429 with Retry-After once the minute's budget is used."""

from datetime import UTC, datetime, timedelta

import pytest

from recovery.api import throttling
from tests.api.conftest import api_client, issue

pytestmark = pytest.mark.django_db

URL = "/api/v1/grants/"


@pytest.fixture
def three_per_minute(settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 3


def at(monkeypatch, when):
    monkeypatch.setattr(throttling.timezone, "now", lambda: when)


def test_the_request_over_the_limit_gets_429_with_retry_after(three_per_minute, pos, monkeypatch):
    at(monkeypatch, datetime(2026, 11, 23, 10, 0, 15, tzinfo=UTC))
    assert [pos.get(URL).status_code for _ in range(3)] == [200, 200, 200]

    response = pos.get(URL)

    assert response.status_code == 429
    assert response["Retry-After"] == "45"  # the minute's window ends at 10:01:00
    assert response.json()["error"]["code"] == "rate_limited"
    assert "45 seconds" in response.json()["error"]["message"]


def test_the_next_minute_starts_a_new_count(three_per_minute, pos, monkeypatch):
    start = datetime(2026, 11, 23, 10, 0, 59, tzinfo=UTC)
    at(monkeypatch, start)
    for _ in range(4):
        pos.get(URL)
    at(monkeypatch, start + timedelta(seconds=1))
    assert pos.get(URL).status_code == 200


def test_each_token_has_its_own_count(three_per_minute, pos, central, ops):
    for _ in range(4):
        pos.get(URL)
    assert pos.get(URL).status_code == 429
    other = api_client(issue(central, "frontline", "Till 2", actor=ops).secret)
    assert other.get(URL).status_code == 200


def test_requests_without_a_token_are_not_counted_against_one(three_per_minute, pos):
    for _ in range(5):
        api_client(None).get(URL)
    assert pos.get(URL).status_code == 200
