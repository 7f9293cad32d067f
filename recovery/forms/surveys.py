"""The customer's follow-up: two radio groups and an optional comment, each refusal naming its question."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from recovery.domain.surveys import COMMENT_MAX_LENGTH, SCORES, score_message, will_return_message
from recovery.models import SurveyAnswer

# The words beside each score, so a 1 and a 5 are not left to guess.
SCORE_WORDS = {
    1: pgettext_lazy("survey score", "Not at all"),
    2: pgettext_lazy("survey score", "Not really"),
    3: pgettext_lazy("survey score", "Partly"),
    4: pgettext_lazy("survey score", "Mostly"),
    5: pgettext_lazy("survey score", "Completely"),
}


class SurveyAnswerForm(forms.Form):
    """What the customer answers. Rendered by hand (templates/recovery/survey_public.html): fieldset and legend."""

    score = forms.TypedChoiceField(
        label=_("Did we put it right?"),
        choices=[(score, score) for score in SCORES],
        coerce=int,
        widget=forms.RadioSelect,
    )
    will_return = forms.ChoiceField(
        label=_("Will you come back?"),
        choices=SurveyAnswer.WillReturn.choices,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything else you would like to tell us? (optional)"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": COMMENT_MAX_LENGTH}),
        error_messages={
            "max_length": _("Anything else: at most %(limit_value)d characters, please (you wrote %(show_value)d)."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Built per form, in the page's language (the messages are worded when the refusal is shown).
        for name, message in (("score", score_message), ("will_return", will_return_message)):
            self.fields[name].error_messages.update({"required": message(), "invalid_choice": message()})

    def clean_comment(self) -> str:
        """Plain text on one page: control characters (other than line breaks) are dropped, not stored."""
        comment = self.cleaned_data["comment"]
        return "".join(char for char in comment if char in "\n\t" or char.isprintable())

    def score_choices(self):
        """(value, number, words) for each score, for the template's radio buttons."""
        return [(str(score), score, SCORE_WORDS[score]) for score in SCORES]
