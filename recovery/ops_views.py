"""Ops and manager pages over the case data: replay of a draft, rule flags, location budgets."""

from django.http import Http404


def ops_replay(request):
    raise Http404  # to be built


def ops_flags(request):
    raise Http404  # to be built


def ops_flag_handle(request, flag_id):
    raise Http404  # to be built


def budgets(request):
    raise Http404  # to be built
