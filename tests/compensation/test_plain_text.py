"""The one check for typed text: control, line-break and direction characters (compensation.plain_text)."""

import pytest
from django import forms
from hypothesis import given
from hypothesis import strategies as st

from compensation.forms import PlainTextFieldsMixin, PlaybookForm, PublishForm
from compensation.plain_text import CONTROL, DIRECTION, LINE_BREAK, unsafe_character, unsafe_text_reason


@pytest.mark.parametrize(
    "text, kind, codepoint, position",
    [
        ("Alice\x1b[31m", CONTROL, "U+001B", 6),
        ("ding\x07", CONTROL, "U+0007", 5),
        ("a\x9bb", CONTROL, "U+009B", 2),  # C1: the one-byte CSI
        ("a\x7fb", CONTROL, "U+007F", 2),
        ("Alice\r\nBob", LINE_BREAK, "U+000D", 6),
        ("Alice\nBob", LINE_BREAK, "U+000A", 6),
        ("Alice\u2028Bob", LINE_BREAK, "U+2028", 6),
        ("tab\there", CONTROL, "U+0009", 4),
        ("Refund \u202e05", DIRECTION, "U+202E", 8),
        ("\u2066x\u2069", DIRECTION, "U+2066", 1),
        ("x\u200fy", DIRECTION, "U+200F", 2),
    ],
)
def test_one_line_text_refuses_the_first_unsafe_character(text, kind, codepoint, position):
    found = unsafe_character(text)
    assert (found.kind, found.codepoint, found.position) == (kind, codepoint, position)


def test_several_lines_keep_breaks_and_tabs_but_not_escapes_or_overrides():
    assert unsafe_character("Late order.\r\nCustomer\twaited.", multiline=True) is None
    assert unsafe_character("late\x1b[2J", multiline=True).kind == CONTROL
    assert unsafe_character("late \u202dxyz", multiline=True).kind == DIRECTION


@pytest.mark.parametrize("text", ["Alice Moreau", "Алиса Морó", "Ștefan Țurcanu", "O'Brien-Smith", "🍰 x2", ""])
def test_ordinary_text_in_every_language_of_the_desk_passes(text):
    assert unsafe_character(text) is None


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cf", "Zl", "Zp", "Cs"))))
def test_text_without_control_format_or_separator_characters_always_passes(text):
    assert unsafe_character(text) is None


def test_the_reasons_say_what_and_where():
    assert unsafe_text_reason(unsafe_character("ab\nc")) == (
        "must be a single line: remove the line break (character 3)."
    )
    assert "U+202E, character 1" in unsafe_text_reason(unsafe_character("\u202eab"))
    assert "invisible control character (U+001B, character 2)" in unsafe_text_reason(unsafe_character("a\x1b"))


class NoteForm(PlainTextFieldsMixin, forms.Form):
    title = forms.CharField(label="Title")
    note = forms.CharField(label="Note", widget=forms.Textarea)
    secret = forms.CharField(widget=forms.HiddenInput, required=False)
    email = forms.EmailField(required=False)


def test_the_mixin_checks_free_text_and_names_the_field():
    form = NoteForm({"title": "Two\nlines", "note": "one\r\ntwo", "secret": "\x1b"})
    assert not form.is_valid()
    assert form.errors["title"] == ["Title: must be a single line: remove the line break (character 4)."]
    assert "note" not in form.errors and "secret" not in form.errors


@pytest.mark.django_db
def test_the_policy_editor_refuses_direction_tricks_in_playbook_texts():
    form = PlaybookForm(
        {
            "code": "spoof",
            "name": "Free drinks \u202e05",
            "kind": "on_the_spot",
            "offer": "Drinks",
            "apology_script": "We are sorry.\r\nTruly.",
            "percent": "10",
            "floor": "0",
            "ceiling": "50",
            "sort_order": "1",
        }
    )
    assert not form.is_valid()
    assert form.errors["name"][0].startswith("Name: has an invisible character that changes the direction")
    assert "apology_script" not in form.errors


def test_a_publish_reason_refuses_an_escape_sequence():
    form = PublishForm({"reason": "Quarterly review\x1b]0;pwned\x07", "effective_at": ""})
    assert not form.is_valid()
    assert "U+001B" in form.errors["reason"][0]
