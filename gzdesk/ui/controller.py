"""The one object widgets talk to: runs domain functions in a session and announces changes.

``read(fn, ...)`` runs ``fn(session, ...)`` in ``Database.reader()``; ``write(fn, ...)`` runs it in
``Database.transaction()`` (one audited transaction) and then emits ``data_changed(topic)``, so every
page showing that kind of record can reload. Widgets hold no session and run no SQL.

Saving or deleting single accounts is announced row by row: ``write_quiet`` then
``announce_accounts(saved=…, deleted=…)`` emits ``account_saved(id)`` / ``account_deleted(id)``
and then ``data_changed("accounts")`` with ``in_row_change`` True. The 账号台账 updates just those
rows (reading 200,000 rows again takes ~1.5 s) and ignores that ``data_changed``; every other page
reloads as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

from gzdesk import office as office_service
from gzdesk import users as users_service
from gzdesk.db import Database
from gzdesk.office import OfficeInfo
from gzdesk.permissions import Cap, CurrentUser
from gzdesk.profiles import Profile

T = TypeVar("T")

# Topics of ``data_changed``. A page reloads when a topic it shows is announced; ALL reloads everything.
ACCOUNTS, UNITS, PEOPLE, FILINGS, OFFICE, ALL = "accounts", "units", "people", "filings", "office", "all"

_TOPIC_WORDS = (("filing", FILINGS), ("account", ACCOUNTS), ("team", ACCOUNTS), ("unit", UNITS),
                ("person", PEOPLE), ("people", PEOPLE), ("office", OFFICE), ("profile", OFFICE))


def may(controller: Any, cap: Cap) -> bool:
    """``controller.can(cap)``; True for a stand-in controller without users (tests)."""
    can = getattr(controller, "can", None)
    return can is None or bool(can(cap))


def topic_for(fn: Callable[..., Any]) -> str:
    """Guess the topic from the function name (save_account → accounts); ALL when unsure."""
    name = getattr(fn, "__name__", "").lower()
    for word, topic in _TOPIC_WORDS:
        if word in name:
            return topic
    return ALL


class Controller(QObject):
    """Holds the open ``Database``; the window's only way to read and write data."""

    data_changed = Signal(str)
    account_saved = Signal(int)  # created or changed: its row should be read again
    account_deleted = Signal(int)

    def __init__(self, db: Database, parent: QObject | None = None):
        super().__init__(parent)
        self.db = db
        self._in_row_change = False
        self._office: OfficeInfo | None = None
        self._cache: dict[str, tuple[tuple[str, ...], Any]] = {}
        self._has_users: bool | None = None
        self.data_changed.connect(self._forget)

    # ------------------------------------------------------------------ sessions
    def read(self, fn: Callable[..., T], *args: Any, **kw: Any) -> T:
        """``fn(session, *args, **kw)`` in a read-only session."""
        with self.db.reader() as session:
            return fn(session, *args, **kw)

    def write(self, fn: Callable[..., T], *args: Any, topic: str | None = None, **kw: Any) -> T:
        """``fn(session, *args, **kw)`` in one transaction, then ``data_changed(topic)``.

        ``topic`` defaults to a guess from the function's name (see ``topic_for``). A ``UserError``
        raised by ``fn`` rolls the transaction back and propagates unchanged (nothing is emitted).
        """
        with self.db.transaction(kw.pop("_actor", None)) as session:
            result = fn(session, *args, **kw)
        topic = topic or topic_for(fn)
        if topic in (OFFICE, ALL):
            self._office = None
        self.data_changed.emit(topic)
        return result

    def write_quiet(self, fn: Callable[..., T], *args: Any, **kw: Any) -> T:
        """``fn(session, *args, **kw)`` in one transaction, announcing nothing: the caller then
        says what changed with ``announce_accounts`` (a ``UserError`` propagates, nothing is said)."""
        with self.db.transaction() as session:
            return fn(session, *args, **kw)

    def announce_accounts(self, saved: Iterable[int] = (), deleted: Iterable[int] = (),
                          topics: Iterable[str] = (ACCOUNTS,)) -> None:
        """Announce a change of single accounts: ``account_deleted`` / ``account_saved`` for each,
        then ``data_changed`` for each topic (ACCOUNTS, and UNITS when a unit was created with
        the account) while ``in_row_change`` is True."""
        for account_id in deleted:
            self.account_deleted.emit(account_id)
        for account_id in saved:
            self.account_saved.emit(account_id)
        self._in_row_change = True
        try:
            for topic in topics:
                if topic in (OFFICE, ALL):
                    self._office = None
                self.data_changed.emit(topic)
        finally:
            self._in_row_change = False

    @property
    def in_row_change(self) -> bool:
        """True while ``announce_accounts`` emits ``data_changed``: the accounts concerned were
        already announced by ``account_saved`` / ``account_deleted``."""
        return self._in_row_change

    def notify(self, topic: str = ALL) -> None:
        """Announce a change made some other way (an import, a merge, F5 refresh)."""
        if topic in (OFFICE, ALL):
            self._office = None
        self.data_changed.emit(topic)

    def cached(self, key: str, topics: tuple[str, ...], make: Callable[[], T]) -> T:
        """``make()`` once, kept until one of ``topics`` (or ALL) is announced.

        For lists that are slow to read on a big registry and change rarely, e.g. every unit
        for the unit boxes of the account editor (93,000 units in a 200,000-account demo).
        """
        if key not in self._cache:
            self._cache[key] = (topics, make())
        return self._cache[key][1]

    def _forget(self, topic: str) -> None:
        for key in [k for k, (topics, _v) in self._cache.items() if topic == ALL or topic in topics]:
            del self._cache[key]

    # ------------------------------------------------------------------ this office
    def is_initialized(self) -> bool:
        return self.read(office_service.is_initialized)

    def office(self) -> OfficeInfo:
        """This database's office (unit and profile); a UserError before the first-run dialog."""
        if self._office is None:
            self._office = self.read(office_service.office)
        return self._office

    @property
    def profile(self) -> Profile:
        return self.office().profile

    @property
    def actor(self) -> str | None:
        return self.db.actor

    # ------------------------------------------------------------------ who is logged in
    @property
    def user(self) -> CurrentUser | None:
        return self.db.user

    def has_users(self) -> bool:
        """Whether the database has users (read once; False = bootstrap, nothing is checked)."""
        if self._has_users is None:
            self._has_users = self.read(users_service.has_users)
        return self._has_users

    def login(self, name: str, password: str) -> CurrentUser:
        """Log in for the window's lifetime (a UserError with the reason, lockout time included)."""
        user = self.db.login(name, password)
        self._has_users = True
        return user

    def create_first_admin(self, name: str, password: str) -> CurrentUser:
        """The first 管理员 of a database without users (its history is kept), then logged in."""
        self.write(users_service.add_user, name, "admin", password, topic=OFFICE, _actor=name)
        return self.login(name, password)

    def can(self, cap: Cap) -> bool:
        """Whether the logged-in user may ``cap`` (for hiding and disabling; the domain refuses anyway)."""
        user = self.db.user
        if user is None:
            return not self.has_users() and not self.db.read_only
        return user.can(cap) and not self.db.read_only

    def can_write(self) -> bool:
        """Whether this user may change anything at all (not 只读, not a read-only file)."""
        return any(self.can(cap) for cap in Cap)
