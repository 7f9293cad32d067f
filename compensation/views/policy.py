"""Ops: the draft, publishing and versions."""

from django.http import Http404


def ops_home(request, **kwargs):
    raise Http404  # to be built


def ops_draft_add(request, **kwargs):
    raise Http404  # to be built


def ops_draft_edit(request, **kwargs):
    raise Http404  # to be built


def ops_publish(request, **kwargs):
    raise Http404  # to be built


def ops_versions(request, **kwargs):
    raise Http404  # to be built


def ops_version(request, **kwargs):
    raise Http404  # to be built


def ops_version_rollback(request, **kwargs):
    raise Http404  # to be built
