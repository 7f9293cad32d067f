"""Benchmark settings: the real settings (same environment variables) plus the baseline app and its URL.

The grant path itself is served with the unmodified `config.settings`; this module
is only used to migrate the baseline table and to serve the baseline view.
"""

from config.settings import *  # noqa: F403
from config.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "bench.baseline"]
ROOT_URLCONF = "bench.urls_bench"
