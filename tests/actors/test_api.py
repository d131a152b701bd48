"""The public API stays honest, and the registry exports what the store persists."""

from __future__ import annotations

import doctest
import importlib

import pytest

import accordwatch.actors as actors
from accordwatch.actors import ActorRegistry

MODULES = [
    "accordwatch.actors",
    "accordwatch.actors._model",
    "accordwatch.actors._normalize",
    "accordwatch.actors._ucdp",
    "accordwatch.actors._curated",
    "accordwatch.actors._mentions",
    "accordwatch.actors.registry",
]


def test_all_lists_exactly_the_public_names() -> None:
    public = {n for n in dir(actors) if not n.startswith("_")} - {
        "registry"  # the submodule itself
    }
    assert set(actors.__all__) == public
    for name in actors.__all__:
        assert getattr(actors, name) is not None


@pytest.mark.parametrize("module", MODULES)
def test_docstring_examples_run(module: str) -> None:
    mod = importlib.import_module(module)
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_default_is_cached(reg: ActorRegistry) -> None:
    assert ActorRegistry.default() is reg


def test_alias_table_columns_and_content(reg: ActorRegistry) -> None:
    t = reg.alias_table()
    assert list(t.columns)[:5] == ["alias", "normalized", "actor_id", "lang", "ambiguous"]
    army = t[(t.alias == "the army")].iloc[0]
    assert army.actor_id == "ucdp:72" and bool(army.ambiguous) and army.context == "Mali"
    assert set(t.lang) <= {"en", "fr", "ar", "mul"}
    assert {"en", "fr"} <= set(t[t.actor_id == "ucdp:1158"].lang)
    assert set(t.actor_id) <= {a.actor_id for a in reg}


def test_to_frame_one_row_per_actor(reg: ActorRegistry) -> None:
    df = reg.to_frame()
    assert len(df) == len(reg) and df.actor_id.is_unique
    row = df.set_index("actor_id").loc["csp"]
    assert row.ucdp_ids == [8822] and row.successors == ["ucdp:8822"]
    assert row.members == ["ucdp:1158", "platform", "msa"]
    assert str(row.valid_from) == "2021-05-01"
    assert df.set_index("actor_id").loc["ucdp:72", "first_year"] == 1985
