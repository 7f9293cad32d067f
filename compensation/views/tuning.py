"""Ops: the simulator (a draft's caps beside the version in force)."""

from django.http import Http404


def ops_simulator(request, **kwargs):
    raise Http404  # to be built
