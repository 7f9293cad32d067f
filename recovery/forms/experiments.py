"""Ops forms for experiments: start one (name, failure category, the playbooks compared) and stop one."""

from django import forms
from django.utils.translation import gettext_lazy as _

from compensation.forms import PlainTextFieldsMixin
from compensation.texts import localized_text
from recovery.models import ServiceFailure


class ExperimentStartForm(PlainTextFieldsMixin, forms.Form):
    """Field formats only: whether the playbooks may be compared is `services.experiment_start`'s decision."""

    name = forms.CharField(
        label=_("Name"), max_length=120, error_messages={"required": _("Name: give the experiment a name.")}
    )
    category = forms.ChoiceField(
        label=_("Failure category"),
        choices=ServiceFailure.Category.choices,
        error_messages={
            "required": _("Failure category: choose one of the list."),
            "invalid_choice": _("Failure category: choose one of the list."),
        },
    )
    playbooks = forms.TypedMultipleChoiceField(
        label=_("Playbooks compared"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("At least two, offered for the category and of similar cost."),
        error_messages={
            "required": _("Playbooks: choose at least two different playbooks to compare."),
            "invalid_choice": _("Playbooks: choose among the active playbooks."),
        },
    )

    def __init__(self, *args, policy=None, **kwargs):
        """`policy`: the version in force; its active playbooks are the choices."""
        super().__init__(*args, **kwargs)
        playbooks = policy.playbooks.items() if policy is not None else ()
        self.fields["playbooks"].choices = [(pk, localized_text(playbook, "name")) for pk, playbook in playbooks]


class ExperimentStopForm(PlainTextFieldsMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why stop it"),
        max_length=500,
        error_messages={"required": _("Reason: say why the experiment stops.")},
    )
