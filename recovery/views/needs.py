"""A manager's landing page: what waits for them now (escalations, flags, budgets running out)."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET
from rules.contrib.views import permission_required

from recovery import selectors


@require_GET
@permission_required("recovery.view_needs_you", raise_exception=True)
def needs_you(request):
    """Waiting escalations oldest first, then open flags and budget alerts; says so plainly when nothing waits."""
    needs = selectors.needs_you_now_for(user=request.user, now=timezone.now())
    return render(request, "recovery/needs_you.html", {"needs": needs})
