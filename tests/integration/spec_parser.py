"""Read the schema spec into plain data: foundation.md (prose, 0001-0003) and schema-part2.md (tables, 0008-0013).

Types are spelled as PostgreSQL's format_type() prints them and index columns as "name" or "name DESC", so the
tests compare the spec with the catalog directly. Defaults stay as written; the tests normalise both sides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

TYPES = r"UUID|TEXT\[\]|TEXT|INTEGER|BIGINT|REAL|BOOLEAN|JSONB|TIMESTAMPTZ|DATE|BYTEA"
FK = re.compile(r"FK (\w+)(?:\(id\))?( CASCADE)?")
# Everything a column's constraints may say; anything else is a spec change the parser must learn about.
CONSTRAINTS = re.compile(r"(?:(?:PK|UNIQUE|NOT NULL|FK \w+(?:\(id\))?(?: CASCADE)?)(?: |$))*")
# "`name` UNIQUE on (a, b) WHERE …" (part 2) or "`name` UNIQUE (a)", "(a DESC)" (foundation).
INDEX = re.compile(r"(?:`(?P<name>\w+)` )?(?P<unique>UNIQUE )?(?:on )?\((?P<columns>[^)]+)\)(?: WHERE (?P<where>.+))?")
# Foundation column: "name TYPE [constraints] [= default]"; several names may share one definition.
COLUMN = re.compile(rf"(?P<names>\w+(?:, \w+)*)(?: (?P<type>{TYPES}))?(?P<constraints>[^=]*?)(?: = (?P<default>.+))?")


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    not_null: bool
    default: str | None


@dataclass(frozen=True)
class Index:
    name: str | None  # foundation.md leaves some indexes unnamed
    columns: tuple[str, ...]
    unique: bool
    where: str | None


@dataclass
class Table:
    name: str
    migration: str = ""  # "0001", "0008", …
    columns: list[Column] = field(default_factory=list)
    primary_key: tuple[str, ...] = ()
    foreign_keys: dict[str, tuple[str, str]] = field(default_factory=dict)  # column -> (table, ON DELETE action)
    unique: set[tuple[str, ...]] = field(default_factory=set)
    indexes: list[Index] = field(default_factory=list)


def load_spec(spec_dir: Path) -> dict[str, Table]:
    foundation = parse_foundation((spec_dir / "foundation.md").read_text())
    return foundation | parse_part2((spec_dir / "schema-part2.md").read_text())


def parse_part2(text: str) -> dict[str, Table]:
    tables = {}
    for migration, section in re.findall(r"^# Migration (\d{4}):.*?\n(.*?)(?=^# |\Z)", text, re.M | re.S):
        for name, body in re.findall(r"^## (\w+)\n(.*?)(?=^## |\Z)", section, re.M | re.S):
            table = tables[name] = Table(name, migration)
            for row in re.findall(r"^\| (?!Column )(.+) \|$", body, re.M):
                column, type_, constraints, default, _notes = (cell.strip() for cell in row.split("|"))
                _add_column(table, column, type_, constraints, None if default in ("", "NULL") else default)
            table.indexes = [_index(line) for line in re.findall(r"^- (`.+)$", body, re.M)]
    return tables


def parse_foundation(text: str) -> dict[str, Table]:
    tables = {}
    for migration, section in re.findall(r"^## (\d{4})_\w+\n(.*?)(?=^## |\Z)", text, re.M | re.S):
        for name, block in re.findall(r"^\*\*(\w+)\*\* — (.*?)(?=\n\n|\Z)", section, re.M | re.S):
            tables[name] = _foundation_table(Table(name, migration), block)
    return tables


def _foundation_table(table: Table, block: str) -> Table:
    first_line, _, rest = block.partition("\n")
    if "·" not in first_line:  # a description line above the columns
        block = rest
    items = " ".join(block.split()).split(" · ")
    items[0] = re.sub(r"^[\w ]+: ", "", items[0])  # "one row per user: id UUID PK"
    items[-1], _, tail = items[-1].partition(". ")  # the last column, then sentences about keys and indexes
    for item in items:
        match = COLUMN.fullmatch(re.sub(r" \([^()]+\)$", "", item.rstrip(".")))  # drop notes like "(email)"
        assert match, f"cannot read {table.name} column {item!r}"
        type_, constraints, default = match["type"] or "UUID", match["constraints"].strip(), match["default"]
        # The conventions the file states: bare "created_at, updated_at", and "UUID keys from gen_random_uuid()".
        # A column without a type is a foreign key to a UUID id ("user_id FK users CASCADE").
        if not match["type"] and not constraints:
            type_, constraints, default = "TIMESTAMPTZ", "NOT NULL", "NOW()"
        elif type_ == "UUID" and constraints == "PK":
            default = default or "gen_random_uuid()"
        for name in match["names"].split(", "):
            _add_column(table, name, type_, constraints, default)
    for sentence in re.split(r"\.(?: |$)", tail):
        if match := re.fullmatch(r"PK \((.+)\)", sentence):
            table.primary_key = _names(match[1])
        elif match := re.fullmatch(r"UNIQUE \((.+)\)", sentence):
            table.unique.add(_names(match[1]))
        elif match := re.fullmatch(r"Index(?:es)?: (.+)", sentence):
            table.indexes = [_index(item) for item in re.split(r"[,;] (?![^(]*\))", match[1])]
    # Key columns are NOT NULL even where only the composite "PK (a, b)" says so.
    table.columns = [replace(c, not_null=True) if c.name in table.primary_key else c for c in table.columns]
    return table


def _add_column(table: Table, name: str, type_: str, constraints: str, default: str | None) -> None:
    assert CONSTRAINTS.fullmatch(constraints), f"cannot read {table.name}.{name} constraints {constraints!r}"
    if re.search(r"\bPK\b", constraints):
        table.primary_key = (name,)
    if "UNIQUE" in constraints:
        table.unique.add((name,))
    if fk := FK.search(constraints):
        table.foreign_keys[name] = (fk[1], "CASCADE" if fk[2] else "NO ACTION")
    pg_type = "timestamp with time zone" if type_ == "TIMESTAMPTZ" else type_.lower()
    table.columns.append(Column(name, pg_type, "NOT NULL" in constraints or "PK" in constraints, default))


def _index(text: str) -> Index:
    match = INDEX.fullmatch(text.strip())
    assert match, f"cannot read index {text!r}"
    return Index(match["name"], _names(match["columns"]), bool(match["unique"]), match["where"])


def _names(text: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in text.split(","))
