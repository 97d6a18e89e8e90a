"""A write announces the topics of the tables it changed (issue 13: the controller guessed them
from the function's name — a function named ``record_departure`` that changed accounts, people
and tasks announced only what its name suggested, and one whose name said nothing announced ALL)."""

from __future__ import annotations

from sqlalchemy import text

from gzdesk import registry
from gzdesk.models import AuditEvent, Base
from gzdesk.ui.controller import (
    ACCOUNTS,
    ALL,
    OFFICE,
    PEOPLE,
    TABLE_TOPICS,
    UNITS,
    Controller,
    topics_for,
)


def _heard(controller: Controller) -> list[str]:
    heard: list[str] = []
    controller.data_changed.connect(heard.append)
    return heard


def test_every_table_has_its_topics():
    assert set(TABLE_TOPICS) == set(Base.metadata.tables)


def test_a_write_announces_what_it_changed_whatever_its_name(qapp, db):
    controller = Controller(db)
    heard = _heard(controller)

    def do_it(session):  # a name that says nothing
        registry.save_account(session, registry.AccountData(name="新账号"))

    controller.write(do_it)
    assert heard == [ACCOUNTS]
    heard.clear()

    def save_account_and_unit(session):  # named after accounts, also makes a unit
        unit_id = registry.save_unit(session, registry.UnitData(name="新单位"))
        registry.save_account(session, registry.AccountData(name="另一个账号", host_unit_id=unit_id))

    controller.write(save_account_and_unit)
    assert set(heard) == {ACCOUNTS, UNITS}  # the guess from the name announced only accounts
    heard.clear()

    def change_a_setting(session):
        session.add(AuditEvent(actor="测试", action="update", entity="setting", summary="x"))
        session.execute(text("UPDATE setting SET value = value WHERE key = 'profile'"))  # raw SQL: not seen

    controller.write(change_a_setting)
    assert heard == [ALL]  # nothing but the log was seen: everything reloads, nothing stays stale


def test_topics_of_tables():
    assert topics_for(["person", "account_role"]) == [ACCOUNTS, PEOPLE]
    assert topics_for(["setting"]) == [OFFICE]
    assert topics_for(["a_new_table"]) == [ALL]
    assert topics_for(["audit_event"]) == [ALL]
