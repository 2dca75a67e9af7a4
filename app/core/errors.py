"""The errors the services raise (one module, typed)."""


class BranchReportError(Exception):
    """Base of every error a user is shown as a message (no traceback)."""


class DatabaseError(BranchReportError):
    """The database cannot be opened, migrated or written."""


class DamagedDatabase(DatabaseError):
    """The database file is damaged. ``backup``: the newest good backup, to restore from."""

    def __init__(self, message: str, path=None, backup=None):
        super().__init__(message)
        self.path, self.backup = path, backup


class ImportRefused(BranchReportError):
    """A workbook was refused as a whole (damaged, hostile, of another kind, ambiguous)."""

    def __init__(self, message: str, problems: list | None = None):
        super().__init__(message)
        self.problems = problems or []


class ValidationError(BranchReportError):
    """A value or text a user entered cannot be stored as it is."""


class NotFound(BranchReportError):
    """A branch, year, item or indicator that does not exist."""


class ConflictError(BranchReportError):
    """Someone else changed the same cell or text since it was read (optimistic concurrency).
    ``conflicts`` lists (what, theirs, mine) so the user can choose with both in view."""

    def __init__(self, message: str, conflicts: list[tuple[str, object, object]]):
        super().__init__(message)
        self.conflicts = conflicts


class PermissionDenied(BranchReportError):
    """In shared mode, the user may not change this branch's, group's or item's data."""

