"""The real app's URLs plus the baseline view."""

from django.urls import path

from bench.baseline.views import baseline_insert
from config.urls import urlpatterns as app_urlpatterns

urlpatterns = [path("bench/baseline/", baseline_insert, name="bench_baseline"), *app_urlpatterns]
