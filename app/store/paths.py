"""Where the program keeps its files (no SQLAlchemy loaded: the command line and the window
ask before anything opens the database)."""
from __future__ import annotations

from pathlib import Path


def default_database_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("branch-report", appauthor=False)) / "branch-report.sqlite3"


def user_catalogue_path() -> Path:
    """The user's own catalogue additions (same JSON format as resources/indicators.json)."""
    from platformdirs import user_config_dir

    return Path(user_config_dir("branch-report", appauthor=False)) / "indicators.json"
