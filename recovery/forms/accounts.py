"""Signing in and the language switch."""

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, UsernameField
from django.utils.translation import gettext_lazy as _

from compensation.forms import FieldNamedErrorsMixin


class LoginForm(AuthenticationForm):
    """Django's login form, with the username's length checked before anything looks it up."""

    username = UsernameField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
        error_messages={"max_length": _("Username: at most 150 characters.")},
    )


class LanguageForm(FieldNamedErrorsMixin, forms.Form):
    """The header's language switch: one of the languages the desk speaks, and the page to go back to."""

    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    next = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)
