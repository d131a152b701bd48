"""Provision files (YAML or CSV): parsing, validation with a clear error per bad line, and the tree.

A YAML file names its agreement once and nests provisions under ``children``::

    agreement: 30
    sources:
      pax: "PA-X agreement 1365, https://www.peaceagreements.org/wview/1365"
    provisions:
      - id: mali2015.t3
        level: title
        number: "III"
        title: Defence and security issues
        theme: defence-security
        source: pax
        children:
          - id: mali2015.t3.c8
            level: chapter
            title: Cantonment, integration and DDR

A CSV file has one row per provision with the columns of :data:`PROVISION_COLUMNS`
(``parent_id`` links a row to its parent; ``agreement_id`` may be left out when the
caller passes ``agreement_id``).  Lists (``parties``, ``places``, ``ucdp_flags``) are
separated by ``;``.

>>> text = '''agreement: 30
... provisions:
...   - {id: x.t1, level: title, title: Defence, theme: defence and security, source: me}
...   - {id: x.t1.c, level: commitment, parent: x.t1, title: Canton the fighters, source: me}
... '''
>>> df = parse_provisions(text, name="demo.yaml")
>>> list(df.provision_id), list(tree_frame(df).effective_theme)
(['x.t1', 'x.t1.c'], ['defence-security', 'defence-security'])
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Hashable, Mapping
from pathlib import Path
from typing import Any, cast

import pandas as pd
import yaml

from .._text import binary_kind, decode_text
from ..errors import InputError, RowError, RowErrors
from ._model import LEVELS, UCDP_FLAGS, level_rank, normalize_theme, parse_date, split_list

__all__ = [
    "PROVISION_COLUMNS",
    "parse_provisions",
    "read_provision_file",
    "tree_frame",
    "tree_records",
]

PROVISION_COLUMNS: tuple[str, ...] = (
    "provision_id",
    "agreement_id",
    "parent_id",
    "level",
    "number",
    "title",
    "theme",
    "parties",
    "places",
    "deadline",
    "deadline_text",
    "ucdp_flags",
    "source",
    "note",
)
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]*$")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LINE = "__line__"
_ALIASES = {
    "id": "provision_id",
    "parent": "parent_id",
    "agreement": "agreement_id",
    "responsible": "parties",
}


class _LineLoader(yaml.SafeLoader):
    """A safe YAML loader that remembers the line of every mapping, keeps an impossible
    unquoted date (``2024-02-30``) as the text written (so the field's check names it), and
    reports any value it cannot build with its line."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except yaml.YAMLError:
            raise
        except Exception as exc:  # a value its tag's constructor cannot build (!!int abc)
            shown = repr(node.value) if isinstance(node, yaml.ScalarNode) else "this node"
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read {shown} as {node.tag} ({exc!r})", node.start_mark
            ) from None

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:  # matches the date pattern, but there is no such day
            return self.construct_scalar(node)


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[Hashable, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping[_LINE] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _LineLoader.construct_yaml_timestamp)


def _blank(value: object) -> bool:
    return (
        value is None or (isinstance(value, float) and value != value) or str(value).strip() == ""
    )


def _flatten(nodes: list[Any], parent: str | None, out: list[dict[str, Any]], name: str) -> None:
    for node in nodes:
        if not isinstance(node, Mapping):
            raise InputError(
                f"{name}: each provision must be a mapping with id, level and title (got {node!r})"
            )
        row = {_ALIASES.get(str(k), str(k)): v for k, v in node.items() if k != "children"}
        if parent is not None and _blank(row.get("parent_id")):
            row["parent_id"] = parent
        out.append(row)
        children = node.get("children") or []
        if not isinstance(children, list):
            raise InputError(f"{name}, line {node.get(_LINE)}: 'children' must be a list")
        _flatten(children, str(row.get("provision_id")), out, name)


def _yaml_rows(text: str, name: str) -> tuple[list[dict[str, Any]], object, dict[str, str]]:
    try:
        doc = yaml.load(text, Loader=_LineLoader)  # noqa: S506 (SafeLoader subclass)
    except yaml.YAMLError as exc:
        raise InputError(f"{name} is not valid YAML: {exc}") from exc
    agreement: object = None
    sources: dict[str, str] = {}
    if isinstance(doc, Mapping):
        agreement = doc.get("agreement", doc.get("agreement_id"))
        raw_sources = doc.get("sources") or {}
        if not isinstance(raw_sources, Mapping):
            raise InputError(f"{name}: 'sources' must map short keys to source descriptions")
        sources = {str(k): str(v) for k, v in raw_sources.items() if k != _LINE}
        nodes = doc.get("provisions")
    else:
        nodes = doc
    if not isinstance(nodes, list) or not nodes:
        raise InputError(f"{name}: no provisions found; put them in a list under 'provisions:'")
    rows: list[dict[str, Any]] = []
    _flatten(nodes, None, rows, name)
    return rows, agreement, sources


def _csv_rows(text: str, name: str) -> list[dict[str, Any]]:
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"{name} is not a readable CSV file: {exc}") from exc
    frame.columns = [_ALIASES.get(c.strip(), c.strip()) for c in frame.columns]
    for col in ("provision_id", "level", "title"):
        if col not in frame.columns:
            raise InputError(
                f"{name}: missing column {col!r}; "
                f"provision CSV columns are {', '.join(PROVISION_COLUMNS)}"
            )
    unknown = [c for c in frame.columns if c not in PROVISION_COLUMNS]
    if unknown:
        raise InputError(
            f"{name}: unknown column(s) {', '.join(unknown)}; "
            f"allowed: {', '.join(PROVISION_COLUMNS)}"
        )
    rows = cast("list[dict[str, Any]]", frame.to_dict(orient="records"))
    for i, row in enumerate(rows):
        row[_LINE] = i + 2
    return rows


def _clean_list(value: object) -> str | None:
    items = split_list(value)
    return "; ".join(items) if items else None


def parse_provisions(
    text: str,
    *,
    name: str = "<provisions>",
    agreement_id: int | None = None,
    known_agreements: set[int] | None = None,
    existing: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Validate a provision file's text (YAML, or CSV when ``name`` ends in .csv).

    ``known_agreements`` limits agreement ids; ``existing`` (provision_id, agreement_id,
    level) lets rows point at parents already in the store.  Every bad row is reported
    at once as :class:`~accordwatch.errors.RowErrors` (file, line, field, reason).
    """
    is_csv = name.lower().endswith(".csv")
    sources: dict[str, str] = {}
    file_agreement: object = None
    rows = _csv_rows(text, name) if is_csv else None
    if rows is None:
        rows, file_agreement, sources = _yaml_rows(text, name)
    default_agreement = agreement_id if agreement_id is not None else file_agreement
    errors: list[RowError] = []
    out: list[dict[str, Any]] = []
    seen: dict[str, int | None] = {}  # id -> line

    def bad(line: int | None, field: str, reason: str, value: object = None) -> None:
        errors.append(RowError(name, line, field, reason, None if value is None else str(value)))

    known_ids: dict[str, tuple[int, str]] = {}
    if existing is not None and len(existing):
        for known, its_agreement, its_level in zip(
            existing["provision_id"], existing["agreement_id"], existing["level"], strict=True
        ):
            known_ids[str(known)] = (int(its_agreement), str(its_level))
    file_levels: dict[str, tuple[int | None, str | None]] = {}
    for row in rows:
        pid = row.get("provision_id")
        if not _blank(pid):
            file_levels[str(pid).strip()] = (
                None,
                str(row.get("level", "")).strip().lower() or None,
            )

    for row in rows:
        line = row.get(_LINE)
        unknown = [k for k in row if k != _LINE and k not in PROVISION_COLUMNS]
        if unknown:
            bad(
                line,
                unknown[0],
                f"unknown field; allowed: {', '.join(PROVISION_COLUMNS)} (and children)",
            )
        pid = "" if _blank(row.get("provision_id")) else str(row["provision_id"]).strip()
        if not pid:
            bad(line, "provision_id", "missing; every provision needs an id such as mali2015.t3.c8")
        elif not _ID.match(pid):
            bad(line, "provision_id", "use letters, digits and . _ : / - only", pid)
        elif pid in seen:
            bad(line, "provision_id", f"duplicate id (first used on line {seen[pid]})", pid)
        else:
            seen[pid] = line
        raw_agreement = (
            default_agreement if _blank(row.get("agreement_id")) else row.get("agreement_id")
        )
        agreement: int | None = None
        if _blank(raw_agreement):
            bad(
                line,
                "agreement_id",
                "missing; give 'agreement: <UCDP paid>' at the top of the file "
                "or an agreement_id column",
            )
        else:
            try:
                agreement = int(str(raw_agreement).strip())
            except ValueError:
                bad(
                    line,
                    "agreement_id",
                    "must be a UCDP agreement id (paid), a whole number",
                    raw_agreement,
                )
            if (
                agreement is not None
                and known_agreements is not None
                and agreement not in known_agreements
            ):
                bad(
                    line,
                    "agreement_id",
                    "no such agreement in the store; see `accordwatch accords list`",
                    agreement,
                )
        level = str(row.get("level", "")).strip().lower()
        rank = None
        try:
            rank = level_rank(level)
        except InputError:
            bad(line, "level", f"must be one of {', '.join(LEVELS)}", row.get("level"))
        title = "" if _blank(row.get("title")) else str(row["title"]).strip()
        if not title:
            bad(line, "title", "missing; give a short summary in your own words")
        theme = None
        try:
            theme = normalize_theme(None if _blank(row.get("theme")) else str(row["theme"]))
        except InputError as exc:
            bad(line, "theme", str(exc), row.get("theme"))
        parent = None if _blank(row.get("parent_id")) else str(row["parent_id"]).strip()
        if parent is not None:
            if parent == pid:
                bad(line, "parent_id", "a provision cannot be its own parent", parent)
            elif parent in file_levels:
                p_level = file_levels[parent][1]
                if rank is not None and p_level in LEVELS and LEVELS.index(p_level) >= rank:
                    bad(line, "parent_id", f"a {level} cannot sit under a {p_level}", parent)
            elif parent in known_ids:
                p_agreement, p_level = known_ids[parent]
                if agreement is not None and p_agreement != agreement:
                    bad(
                        line,
                        "parent_id",
                        f"parent belongs to agreement {p_agreement}, not {agreement}",
                        parent,
                    )
                elif rank is not None and LEVELS.index(p_level) >= rank:
                    bad(line, "parent_id", f"a {level} cannot sit under a {p_level}", parent)
            else:
                bad(line, "parent_id", "no provision with this id in the file or the store", parent)
        if pid in known_ids and agreement is not None and known_ids[pid][0] != agreement:
            bad(line, "provision_id", f"already used by agreement {known_ids[pid][0]}", pid)
        deadline = None
        if not _blank(row.get("deadline")):
            try:
                deadline = parse_date(row["deadline"], "deadline")
            except InputError:
                bad(
                    line,
                    "deadline",
                    "no such day in the calendar; give a real date"
                    if _ISO_DAY.match(str(row["deadline"]).strip())
                    else "not a date; use YYYY-MM-DD (or deadline_text for 'within 30 days')",
                    row["deadline"],
                )
        flags = split_list(row.get("ucdp_flags"))
        for flag in flags:
            if flag not in UCDP_FLAGS:
                bad(
                    line,
                    "ucdp_flags",
                    f"unknown UCDP provision flag; known: {', '.join(UCDP_FLAGS)}",
                    flag,
                )
        source = None if _blank(row.get("source")) else str(row["source"]).strip()
        if source is not None:
            source = sources.get(source, source)
        out.append(
            {
                "provision_id": pid,
                "agreement_id": agreement,
                "parent_id": parent,
                "level": level,
                "number": None if _blank(row.get("number")) else str(row["number"]).strip(),
                "title": title,
                "theme": theme,
                "parties": _clean_list(row.get("parties")),
                "places": _clean_list(row.get("places")),
                "deadline": deadline,
                "deadline_text": None
                if _blank(row.get("deadline_text"))
                else str(row["deadline_text"]).strip(),
                "ucdp_flags": "; ".join(flags) if flags else None,
                "source": source,
                "note": None if _blank(row.get("note")) else str(row["note"]).strip(),
            }
        )
    if errors:
        raise RowErrors(errors, hint="Fix these lines and load the file again; nothing was loaded.")
    return pd.DataFrame(out, columns=list(PROVISION_COLUMNS))


def read_provision_file(
    path: str | os.PathLike[str],
    *,
    agreement_id: int | None = None,
    known_agreements: set[int] | None = None,
    existing: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Read and validate a provision file (``.yaml``/``.yml`` or ``.csv``)."""
    p = Path(path)
    if p.is_dir():
        raise InputError(f"{p} is a folder; give the path of a .yaml or .csv provision file")
    if not p.is_file():
        from ..errors import NotFound

        raise NotFound(f"no provision file at {p}; give the path of a .yaml or .csv file")
    if p.suffix.lower() not in (".yaml", ".yml", ".csv"):
        raise InputError(f"{p.name}: provision files are .yaml, .yml or .csv")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"{p}: cannot be read ({exc.strerror or exc})") from None
    kind = binary_kind(data[:4096])
    if kind is not None:
        raise InputError(
            f"{p.name} is not a YAML or CSV text file: it is {kind}; "
            "save provisions as YAML, or as CSV (UTF-8)"
        )
    text = decode_text(data, p.name)  # UTF-8 (or UTF-16/32 with a byte-order mark)
    return parse_provisions(
        text,
        name=p.name,
        agreement_id=agreement_id,
        known_agreements=known_agreements,
        existing=existing,
    )


def tree_frame(provisions: pd.DataFrame) -> pd.DataFrame:
    """Provisions in depth-first order with ``depth``, ``path`` and ``effective_theme``.

    ``effective_theme`` is the provision's own theme, else the nearest ancestor's.
    Siblings keep their ``seq`` order (file order when there is no ``seq`` column).
    """
    if provisions.empty:
        return provisions.assign(
            depth=pd.Series(dtype="int64"),
            path=pd.Series(dtype=str),
            effective_theme=pd.Series(dtype=object),
        )
    df = provisions.copy()
    if "seq" not in df.columns:
        df["seq"] = range(len(df))
    df = df.sort_values("seq", kind="stable")
    ids = set(df.provision_id)
    children: dict[str | None, list[int]] = {}
    for idx, parent in zip(df.index, df.parent_id, strict=True):
        key = parent if isinstance(parent, str) and parent in ids else None
        children.setdefault(key, []).append(idx)
    order: list[tuple[int, int, str, str | None]] = []

    def walk(key: str | None, depth: int, path: str, theme: str | None) -> None:
        for idx in children.get(key, []):
            rec = df.loc[idx]
            label = (
                str(rec.number)
                if isinstance(rec.number, str) and rec.number
                else str(rec.provision_id).split(".")[-1]
            )
            own = rec.theme if isinstance(rec.theme, str) and rec.theme else theme
            node_path = f"{path}/{label}" if path else label
            order.append((idx, depth, node_path, own))
            walk(str(rec.provision_id), depth + 1, node_path, own)

    walk(None, 0, "", None)
    out = df.loc[[o[0] for o in order]].copy()
    out["depth"] = [o[1] for o in order]
    out["path"] = [o[2] for o in order]
    out["effective_theme"] = [o[3] for o in order]
    return out.reset_index(drop=True)


def tree_records(provisions: pd.DataFrame) -> list[dict[str, Any]]:
    """The provision tree as nested dicts (``children`` lists), for JSON output."""
    flat = tree_frame(provisions)
    nodes: dict[str, dict[str, Any]] = {}
    roots: list[dict[str, Any]] = []
    clean = flat.astype(object).where(pd.notna(flat), None)
    for rec in cast("list[dict[str, Any]]", clean.to_dict(orient="records")):
        node = {k: v for k, v in rec.items() if k not in ("depth", "path")}
        node["children"] = []
        nodes[rec["provision_id"]] = node
        parent = rec.get("parent_id")
        (nodes[parent]["children"] if parent in nodes else roots).append(node)
    return roots
