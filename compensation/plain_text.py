"""Text people type that must show as typed: no control characters, no direction tricks.

Names, loyalty cards, notes and reasons end up on the counter's screen, the
printed slip, the audit pages and CSV exports. A few characters make what is
shown differ from what was stored: terminal escapes (ESC, BEL) and other C0/C1
controls, line breaks in a one-line field (a second line in a CSV cell or a log
line), and the Unicode bidi controls that reverse or isolate a run of text
(U+202A–U+202E, U+2066–U+2069, the marks U+200E, U+200F and U+061C), with which
"Refund 05" can be stored so it reads "50 dnufeR" or a name hides part of a
note. None of them is needed in a desk that works in English, Russian and
Romanian, so they are refused (never stripped silently: the person who typed
the text fixes it, and what is stored is what they saw).

Pure: `unsafe_character` finds the first such character and `unsafe_text_reason`
says why it is refused, without the field's name; forms
(`compensation.forms.plain_text`) and the API (`recovery.api.serializers.fields.TextField`)
put the field in front.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext

# Embeddings, overrides (U+202A–U+202E), isolates (U+2066–U+2069) and the direction marks.
DIRECTION_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
LINE_BREAKS = frozenset("\n\r\u2028\u2029\x0b\x0c\x85")
# Kept in text of several lines (a note, a reason): a browser's textarea sends CR LF, a pasted table a tab.
MULTILINE_ALLOWED = frozenset("\n\r\t")

LINE_BREAK, CONTROL, DIRECTION = "line_break", "control", "direction"


@dataclass(frozen=True)
class UnsafeCharacter:
    kind: str  # LINE_BREAK, CONTROL or DIRECTION
    char: str
    position: int  # 1-based, as a person counts

    @property
    def codepoint(self) -> str:
        return f"U+{ord(self.char):04X}"


def _is_control(char: str) -> bool:
    code = ord(char)
    return code < 0x20 or 0x7F <= code <= 0x9F


def unsafe_character(text: str, *, multiline: bool = False) -> UnsafeCharacter | None:
    """The first character of `text` that must not be stored, or None.

    `multiline` texts (notes, reasons) may keep line breaks and tabs; one-line
    texts (names, cards) may not.
    """
    for index, char in enumerate(text):
        if char in DIRECTION_CONTROLS:
            return UnsafeCharacter(DIRECTION, char, index + 1)
        if multiline and (char in MULTILINE_ALLOWED or char in "\u2028\u2029"):
            continue
        if char in LINE_BREAKS:
            return UnsafeCharacter(LINE_BREAK, char, index + 1)
        if _is_control(char):
            return UnsafeCharacter(CONTROL, char, index + 1)
    return None


def unsafe_text_reason(found: UnsafeCharacter) -> str:
    """Why `found` is refused, for the person who typed it (the caller names the field)."""
    words = {"codepoint": found.codepoint, "position": found.position}
    if found.kind == LINE_BREAK:
        return gettext("must be a single line: remove the line break (character %(position)s).") % words
    if found.kind == DIRECTION:
        return (
            gettext(
                "has an invisible character that changes the direction of the text (%(codepoint)s, character "
                "%(position)s), so it could read differently from what was typed: retype the text without it."
            )
            % words
        )
    return (
        gettext(
            "has an invisible control character (%(codepoint)s, character %(position)s) that cannot be stored: "
            "retype the text without it."
        )
        % words
    )
