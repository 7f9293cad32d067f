"""The ops pages for outgoing webhooks: subscribers (the secret shown once) and the delivery log.

Ops add subscribers, roll secrets, switch them off and send a failed delivery
again; auditors read; everyone else is refused. Every decision is a `rules`
permission on the webhook models.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http.request import split_domain_port
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from rules.contrib.views import permission_required

from compensation.http import INVALID
from recovery.forms import DeliveryFilterForm, WebhookSubscriberForm
from recovery.models import WebhookDelivery, WebhookSubscriber
from recovery.selectors.webhooks import webhook_log, webhook_subscribers
from recovery.services import RecoveryError
from recovery.services.webhooks import (
    webhook_delivery_replay,
    webhook_secret_roll,
    webhook_subscriber_add,
    webhook_subscriber_set_active,
)


def desk_hosts(request) -> tuple[str, ...]:
    """The names this desk answers to: a subscriber there would post to the desk itself."""
    host, _port = split_domain_port(request.get_host())
    return (*settings.ALLOWED_HOSTS, host)


def _page(request, form, shown=None, status=200):
    return render(
        request,
        "recovery/ops_webhooks.html",
        {
            "subscribers": webhook_subscribers(),
            "form": form,
            "shown": shown,
            "can_change": request.user.has_perm("recovery.change_webhooksubscriber"),
        },
        status=status,
    )


@never_cache  # the answer that shows a secret must never be kept by a browser or proxy
@require_http_methods(["GET", "POST"])
@permission_required("recovery.view_webhooksubscriber", raise_exception=True)
def ops_webhooks(request):
    """List the subscribers; ops add one here and see its secret on this answer only."""
    if request.method == "GET":
        return _page(request, WebhookSubscriberForm())
    if not request.user.has_perm("recovery.add_webhooksubscriber"):
        raise PermissionDenied
    form = WebhookSubscriberForm(request.POST, desk_hosts=desk_hosts(request))
    if form.is_valid():
        try:
            shown = webhook_subscriber_add(actor=request.user, **form.cleaned_data)
        except RecoveryError as error:
            form.add_error(error.field, error.message)
        else:
            return _page(request, WebhookSubscriberForm(), shown=shown)
    return _page(request, form, status=INVALID)


@never_cache
@require_POST
@permission_required("recovery.change_webhooksubscriber", raise_exception=True)
def ops_webhook_secret_roll(request, subscriber_id: int):
    """A new secret for the subscriber, shown once; the old one stops verifying at once."""
    subscriber = get_object_or_404(WebhookSubscriber, pk=subscriber_id)
    shown = webhook_secret_roll(actor=request.user, subscriber_id=subscriber.pk)
    return _page(request, WebhookSubscriberForm(), shown=shown)


@require_POST
@permission_required("recovery.change_webhooksubscriber", raise_exception=True)
def ops_webhook_active(request, subscriber_id: int):
    subscriber = get_object_or_404(WebhookSubscriber, pk=subscriber_id)
    active = not subscriber.is_active
    webhook_subscriber_set_active(actor=request.user, subscriber_id=subscriber.pk, active=active)
    message = gettext("“%(name)s” is switched on.") if active else gettext("“%(name)s” is switched off.")
    messages.success(request, message % {"name": subscriber})
    return redirect("ops_webhooks")


@require_GET
@permission_required("recovery.view_webhookdelivery", raise_exception=True)
def ops_webhook_deliveries(request):
    """The delivery log, newest first, with each delivery's attempts; filter by status."""
    form = DeliveryFilterForm(request.GET)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    return render(
        request,
        "recovery/ops_webhook_deliveries.html",
        {
            "form": form,
            "rows": webhook_log(status=status),
            "can_replay": request.user.has_perm("recovery.change_webhookdelivery"),
        },
        status=200 if form.is_valid() else INVALID,
    )


@require_POST
@permission_required("recovery.change_webhookdelivery", raise_exception=True)
def ops_webhook_replay(request, delivery_id: int):
    """Deliver again: the failed delivery is queued for one more attempt now."""
    delivery = get_object_or_404(WebhookDelivery, pk=delivery_id)
    try:
        webhook_delivery_replay(actor=request.user, delivery_id=delivery.pk)
    except RecoveryError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, gettext("Delivery #%(delivery)s is queued again.") % {"delivery": delivery.pk})
    return redirect("ops_webhook_deliveries")
