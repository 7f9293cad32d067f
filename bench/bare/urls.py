"""The bare project's only URL: the same one-INSERT view as the same-stack baseline."""

from django.urls import path

from bench.baseline.views import baseline_insert

urlpatterns = [path("bench/baseline/", baseline_insert, name="bench_baseline")]
