"""What a database remembers about itself (table ``setting``): one object over a session, a named
property per setting. Nothing else reads or writes the table (migration 0005 makes the secret).
What the window remembers is ui/preferences.py."""
from __future__ import annotations

from sqlalchemy import insert

from db.models import Setting


class _Kept:
    def __init__(self, key: str):
        self.key = key

    def __get__(self, kept: StoredSettings, owner=None) -> str | None:
        row = kept.session.get(Setting, self.key)
        return row.value if row else None

    def __set__(self, kept: StoredSettings, value: str) -> None:
        kept.session.merge(Setting(key=self.key, value=value))


class StoredSettings:
    home_branch = _Kept("home_branch")          # the branch (支部) this database is for
    database_id = _Kept("database_id")          # its identity: work packages find their way home
    package_secret = _Kept("package_secret")    # the key its work packages are signed with

    def __init__(self, session):
        self.session = session

    def package_taken(self, package_id: str) -> bool:
        """Has this work package been brought back already?"""
        return self.session.get(Setting, f"package:{package_id}") is not None

    def take_package(self, package_id: str, note: str) -> None:
        """Mark a work package brought back: an insert, so a second bringing-back of it at the same
        time waits here and then fails on the key."""
        self.session.execute(insert(Setting).values(key=f"package:{package_id}", value=note))
