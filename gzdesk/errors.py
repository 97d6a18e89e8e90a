"""Errors a person can act on.

A ``UserError`` carries one line of Simplified Chinese. The command line prints it and exits 1;
the window shows it in a message box. Anything else is a bug and is logged with its traceback.
"""


class UserError(Exception):
    """Bad input or a refused action, explained in one Chinese line."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class NotFound(UserError):
    """A record named by id or uuid does not exist."""
