"""The owner's two write counters: ``generation`` moves with every committed write,
``data_generation`` with every one but those marked bookkeeping; a failed write moves
neither."""

from __future__ import annotations

from pathlib import Path

import pytest

from accordwatch._app import users
from accordwatch._app.server import bookkeeping, is_bookkeeping
from accordwatch.store.owner import StoreOwner


def test_bookkeeping_writes_leave_the_data_generation(empty_db: Path) -> None:
    with StoreOwner(empty_db) as owner:
        start = (owner.generation, owner.data_generation)
        owner.execute_write(lambda s: s.set_meta("a", "1"))
        assert (owner.generation, owner.data_generation) == (start[0] + 1, start[1] + 1)
        owner.execute_write(lambda s: s.set_meta("note", "seen"), bookkeeping=True)
        assert (owner.generation, owner.data_generation) == (start[0] + 2, start[1] + 1)
        done = owner.execute_write(lambda s: s.set_meta("n", "2"), block=False, bookkeeping=True)
        done.result()
        assert (owner.generation, owner.data_generation) == (start[0] + 3, start[1] + 1)

        def fails(store: object) -> None:
            raise ValueError("no")

        with pytest.raises(ValueError):
            owner.execute_write(fails)
        with pytest.raises(ValueError):
            owner.execute_write(fails, bookkeeping=True)
        assert (owner.generation, owner.data_generation) == (start[0] + 3, start[1] + 1)
        assert owner.read(lambda s: s.get_meta("n")) == "2"


def test_only_the_last_used_notes_are_bookkeeping() -> None:
    assert is_bookkeeping(users.touch_token)
    assert is_bookkeeping(users.touch_session)
    for write in (
        users.add_user,
        users.create_token,
        users.revoke_token,
        users.end_session,
        users.create_session,
        users.disable_user,
        users.enable_user,
        users.set_role,
        users.reset_password,
        users.record_login_attempt,
        users.record_audit,
        users.web_secret,
    ):
        assert not is_bookkeeping(write), write.__name__

    @bookkeeping
    def note(*, db: object = None) -> None:
        """A note."""

    assert is_bookkeeping(note) and note.__doc__ == "A note."
