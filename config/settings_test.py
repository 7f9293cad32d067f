"""Test settings: the real settings with a fast password hasher.

The suite runs under the development settings (DEBUG on, plain static files,
text logs), as it did when DEBUG defaulted to on; Django's test runner still
turns DEBUG off while the tests run. Setting `DEBUG` in this process's
environment (whatever the shell had: the suite needs development settings) also reaches the `manage.py`
subprocesses some tests start with `config.settings`: they inherit
`os.environ`, and without it they would stop for want of a SECRET_KEY.
Tests of production settings pass `DEBUG=false` explicitly.
"""

import os

os.environ["DEBUG"] = "true"

from config.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
# Background jobs run inside the test, at once: no worker process (django-q2's sync mode).
Q_CLUSTER = {**Q_CLUSTER, "sync": True}  # noqa: F405
# The replica is Django's test mirror of `default` (a second connection to the same test database), so
# the suite runs everywhere without one. Reads are routed to it only where a test turns it on
# (`settings.READ_REPLICA_ALIAS = "replica"`, tests/config/test_replica.py): elsewhere a test's own
# uncommitted rows would be invisible to the second connection.
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
READ_REPLICA_ALIAS = ""
