"""The ops forms for outgoing webhooks: a new subscriber, and the delivery log's filter."""

from django import forms
from django.utils.translation import gettext_lazy as _

from compensation.forms import FieldNamedErrorsMixin, PlainTextFieldsMixin
from recovery.domain.webhooks import EVENT_TYPES, url_problem
from recovery.models import WebhookDelivery

URL_PROBLEMS = {
    "scheme": _("URL: only http:// and https:// addresses can receive events."),
    "host": _("URL: enter a full address with a host name, e.g. https://crm.example.com/hooks/desk."),
    "desk": _("URL: this address is the desk itself; enter the other system's address."),
}


class WebhookSubscriberForm(PlainTextFieldsMixin, FieldNamedErrorsMixin, forms.Form):
    """`desk_hosts`: the names this desk answers to (ALLOWED_HOSTS and the request's host), refused as targets."""

    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("The other system's address that receives the events, e.g. https://crm.example.com/hooks/desk."),
        error_messages={
            "required": _("URL: enter the address that receives the events."),
            "invalid": _("URL: enter a full address, e.g. https://crm.example.com/hooks/desk."),
        },
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=200,
        required=False,
        help_text=_("Which system this is, and who to call when it fails."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=[(event, event) for event in EVENT_TYPES],
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Events: choose at least one event to send."),
            "invalid_choice": _("Events: choose among the listed events."),
        },
    )

    def __init__(self, *args, desk_hosts: tuple[str, ...] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.desk_hosts = desk_hosts

    def clean_url(self):
        url = self.cleaned_data["url"]
        problem = url_problem(url, self.desk_hosts)
        if problem:
            raise forms.ValidationError(URL_PROBLEMS[problem], code=problem)
        return url


class DeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), *WebhookDelivery.Status.choices],
    )
