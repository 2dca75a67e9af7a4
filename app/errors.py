"""The errors the services raise (one module, typed)."""


class BranchReportError(Exception):
    """Base of every error a user is shown as a message (no traceback)."""


class DatabaseError(BranchReportError):
    """The database cannot be opened, migrated or written."""


class ImportRefused(BranchReportError):
    """A workbook was refused as a whole (damaged, hostile, of another kind, ambiguous)."""

    def __init__(self, message: str, problems: list | None = None):
        super().__init__(message)
        self.problems = problems or []


class ValidationError(BranchReportError):
    """A value or text a user entered cannot be stored as it is."""


class NotFound(BranchReportError):
    """A branch, year, item or indicator that does not exist."""
