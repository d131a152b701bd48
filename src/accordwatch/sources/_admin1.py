"""UCDP's admin-1 names made canonical: the words it adds ("Kidal region") stripped, in Python
and as SQL for DuckDB.  Standard library only, so the bulk load can import it cheaply."""

from __future__ import annotations

import re

__all__ = ["admin1_guess_sql", "strip_admin_words"]

_ADMIN_WORDS = re.compile(
    r"\s+(region|province|prefecture|préfecture|governorate|state|district|department|"
    r"county|municipality|oblast|division|wilaya|territory)$",
    re.IGNORECASE,
)


def strip_admin_words(name: str) -> str:
    """'Ouham-Pendé prefecture' → 'Ouham-Pendé'; 'Bangui' stays."""
    return _ADMIN_WORDS.sub("", name.strip())


def admin1_guess_sql(adm_1: str) -> str:
    """SQL for the admin-1 name most rows end up with: the source's ``adm_1`` without the
    words UCDP adds (:func:`strip_admin_words`, in DuckDB's regular expressions).

    A bulk load writes this guess and then corrects, per distinct place, the rows where
    :func:`enrich_geography` decides otherwise (a point inside a bundled polygon, a
    variant spelling), so only those rows are rewritten.
    """
    pattern = _ADMIN_WORDS.pattern.replace("'", "''")
    return f"regexp_replace(trim({adm_1}), '{pattern}', '', 'i')"
