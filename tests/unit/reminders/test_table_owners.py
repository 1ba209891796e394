"""One owner per table: the modules of `reminders` that write SQL on each table.

Each module's source is read with `ast`. A module uses a table when, outside type
annotations, it names the table's mapped class (`Subscription`, ORM style) or a name
bound to its Core `Table` (``Base.metadata.tables["outbox"]``, or such a name imported
from another module), or has a raw SQL string reading or writing it (``FROM
subscriptions``). `reminders/db/` defines the tables and is not counted; the modules of
an owner package (`PACKAGES`) count as the package.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

from reminders.db.models import Base

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "reminders"
MODELS = {mapper.class_.__name__: mapper.local_table.name for mapper in Base.registry.mappers}
TABLES = set(Base.metadata.tables)
#: A table named in raw SQL; upper-case keywords, so prose in comments does not count.
RAW_SQL = re.compile(r"\b(?:FROM|INTO|UPDATE|JOIN)\s+([a-z_]+)\b")

#: Owners too large for one module of a few hundred lines: a package, one module per concern.
PACKAGES = ("reminders.outbox_store",)

OWNERS = {
    "subscriptions": {"reminders.subscription_store"},
    "unsubscribed": {"reminders.subscription_store"},
    "outbox": {"reminders.outbox_store"},
    "send_log": {"reminders.outbox_store"},
    "scheduler_state": {"reminders.scheduler_state"},
    "event_revisions": {"reminders.revision_store"},
    "event_history": {"reminders.revision_store"},
    "bounce_reports": {"reminders.bounce_store"},
    "mail_requests": {"reminders.mail_requests"},
    "mail_quota": {"reminders.mail_quota"},
}


def _modules() -> dict[str, ast.Module]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(ROOT).with_suffix("")
        if relative.parts[1] == "db":
            continue
        name = ".".join(part for part in relative.parts if part != "__init__")
        found[name] = ast.parse(path.read_text(encoding="utf-8"))
    return found


def _table_binding(value: ast.expr | None) -> str | None:
    """The table of ``Base.metadata.tables["name"]``."""
    if (
        isinstance(value, ast.Subscript)
        and isinstance(value.value, ast.Attribute)
        and value.value.attr == "tables"
        and isinstance(value.slice, ast.Constant)
        and value.slice.value in TABLES
    ):
        return str(value.slice.value)
    return None


def _core_names(modules: dict[str, ast.Module]) -> dict[tuple[str, str], str]:
    """(module, name) → table, for module-level names bound to a Core table."""
    bound = {}
    for module, tree in modules.items():
        for node in tree.body:
            if isinstance(node, ast.Assign | ast.AnnAssign):
                table = _table_binding(node.value)
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if table and isinstance(target, ast.Name):
                        bound[(module, target.id)] = table
    return bound


def _annotations(tree: ast.Module) -> set[int]:
    """ids of every node inside a type annotation."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        roots: list[ast.expr | None] = []
        if isinstance(node, ast.arg):
            roots.append(node.annotation)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            roots.append(node.returns)
        elif isinstance(node, ast.AnnAssign):
            roots.append(node.annotation)
        for root in roots:
            if root is not None:
                inside.update(id(child) for child in ast.walk(root))
    return inside


def _docstrings(tree: ast.Module) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _usage() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(table → modules using it, module → styles it uses: "orm", "core", "raw")."""
    modules = _modules()
    core = _core_names(modules)
    tables: dict[str, set[str]] = defaultdict(set)
    styles: dict[str, set[str]] = defaultdict(set)
    for module, tree in modules.items():
        owner = next((p for p in PACKAGES if module.startswith(f"{p}.")), module)
        names: dict[str, tuple[str, str]] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    local = alias.asname or alias.name
                    if node.module == "reminders.db.models" and alias.name in MODELS:
                        names[local] = (MODELS[alias.name], "orm")
                    elif (node.module, alias.name) in core:
                        names[local] = (core[(node.module, alias.name)], "core")
        names.update(
            {name: (table, "core") for (where, name), table in core.items() if where == module}
        )
        skipped = _annotations(tree) | _docstrings(tree)
        for node in ast.walk(tree):
            if id(node) in skipped:
                continue
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in names:
                table, style = names[node.id]
                tables[table].add(owner)
                styles[owner].add(style)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                for table in RAW_SQL.findall(node.value):
                    if table in TABLES:
                        tables[table].add(owner)
                        styles[owner].add("raw")
    return dict(tables), dict(styles)


def test_each_table_has_one_owner_module() -> None:
    tables, _ = _usage()
    assert tables == OWNERS


def test_each_owner_writes_its_statements_in_one_style() -> None:
    _, styles = _usage()
    # subscription_store's one raw statement is PostgreSQL's index skip (no Core form).
    assert styles == {
        "reminders.subscription_store": {"orm", "raw"},
        "reminders.outbox_store": {"core"},
        "reminders.scheduler_state": {"core"},
        "reminders.revision_store": {"orm"},
        "reminders.bounce_store": {"core"},
        "reminders.mail_requests": {"orm"},
        "reminders.mail_quota": {"orm"},
    }
