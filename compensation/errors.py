"""The one error type services raise for a request they refuse."""


class DomainError(Exception):
    """A refused request, with the form field it concerns (None: the whole form) and a message for people."""

    def __init__(self, field: str | None, message: str):
        super().__init__(message)
        self.field = field
        self.message = message
