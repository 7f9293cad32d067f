"""Simulated counters for the grant benchmark (locust, headless).

GrantCounter: logs in once (CSRF, django-axes, session), then grants in a loop: the
full POST of screen 2 with a fresh one-time token, a random customer, no think time.
The answer is a 302 to the granted page (not followed); anything else is a failure.
BaselineCounter: the same loop against the bare baseline view (no login, one INSERT).

Every user waits until all N have logged in; the last one resets the statistics, so
the figures cover only the steady state (no PBKDF2 logins inside the window), and
BENCH_MEASURE_SECONDS later the run stops.
Environment: BENCH_DATA (the JSON written by bench/prepare.py), BENCH_MEASURE_SECONDS;
optionally BENCH_GUNICORN_PID, BENCH_PG_DB and BENCH_CPU_OUT: the CPU time the app
server and the database used during the measured window is written to BENCH_CPU_OUT.
"""

import json
import os
import random
import re
import uuid

import gevent
from gevent.event import Event
from locust import constant, events, task
from locust.contrib.fasthttp import FastHttpUser

from bench.cpu import CpuMeter

DATA = json.load(open(os.environ["BENCH_DATA"]))
MEASURE_SECONDS = float(os.environ.get("BENCH_MEASURE_SECONDS", "15"))
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

_ready = Event()
_state = {"logged_in": 0, "next_user": 0}
GUNICORN_PID = int(os.environ.get("BENCH_GUNICORN_PID") or 0)
CPU_OUT = os.environ.get("BENCH_CPU_OUT", "")
_meter = CpuMeter(gunicorn_pid=GUNICORN_PID, pg_database=os.environ.get("BENCH_PG_DB", ""))


def _sample_cpu():
    while True:
        gevent.sleep(0.5)
        _meter.sample()


def _stop(environment, sampler):
    """End of the measured window: write the CPU the server side used during it, then stop."""
    sampler.kill()
    _meter.sample()
    with open(CPU_OUT, "w") as out:
        json.dump({**_meter.used(), "seconds": MEASURE_SECONDS}, out)
    environment.runner.quit()


@events.test_start.add_listener
def _reset(environment, **kwargs):
    _ready.clear()
    _state.update(logged_in=0, next_user=0)


def _arrived(environment):
    """Count a user as ready; the last one starts the measured window."""
    _state["logged_in"] += 1
    if _state["logged_in"] >= environment.parsed_options.num_users:
        environment.stats.reset_all()
        _ready.set()
        if CPU_OUT and GUNICORN_PID:
            _meter.start()
            gevent.spawn_later(MEASURE_SECONDS, _stop, environment, gevent.spawn(_sample_cpu))
        else:
            gevent.spawn_later(MEASURE_SECONDS, environment.runner.quit)


def _grant_form(customer_field=None) -> dict:
    form = {
        "category": DATA["category"],
        "purchase_value": DATA["purchase_value"],
        "note": "Order 25 minutes late",
        "playbook": str(DATA["playbook"]),
        "amount": "",
        "token": str(uuid.uuid4()),
    }
    if customer_field:
        form["customer"] = str(customer_field)
    return form


class GrantCounter(FastHttpUser):
    wait_time = constant(0)

    def on_start(self):
        index = _state["next_user"]
        _state["next_user"] += 1
        self.username = DATA["users"][index % len(DATA["users"])]
        # DEBUG=false makes the session and CSRF cookies Secure; this load runs over plain
        # http on 127.0.0.1 (SECURE_SSL_REDIRECT=false), so the cookies are sent by hand.
        self.cookies = {}
        page = self._request("GET", "/login/", name="login (once per user)")
        token = CSRF_INPUT.search(page.text).group(1)
        answer = self._request(
            "POST",
            "/login/",
            name="login (once per user)",
            data={"username": self.username, "password": DATA["password"], "csrfmiddlewaretoken": token},
        )
        if answer.status_code != 302:
            raise RuntimeError(f"login of {self.username} answered {answer.status_code}")
        _arrived(self.environment)
        _ready.wait()

    def _request(self, method, path, *, name, data=None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        response = self.client.request(method, path, name=name, data=data, headers=headers, allow_redirects=False)
        for cookie in self.client.cookiejar:
            self.cookies[cookie.name] = cookie.value
        return response

    @task
    def grant(self):
        customer = random.choice(DATA["customers"])
        form = {**_grant_form(), "csrfmiddlewaretoken": self.cookies["csrftoken"]}
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        with self.client.post(
            f"/counter/customers/{customer}/resolve/",
            data=form,
            headers=headers,
            name="grant POST",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 302 and "/counter/grants/" in (response.headers.get("Location") or ""):
                response.success()
            else:
                response.failure(f"status {response.status_code}")


class BaselineCounter(FastHttpUser):
    wait_time = constant(0)

    def on_start(self):
        _arrived(self.environment)
        _ready.wait()

    @task
    def insert(self):
        form = _grant_form(customer_field=random.choice(DATA["customers"]))
        with self.client.post(
            "/bench/baseline/", data=form, name="baseline POST", allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code == 302:
                response.success()
            else:
                response.failure(f"status {response.status_code}")
