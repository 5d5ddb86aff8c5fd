"""The import direction, read from the source (imports inside functions
included), so the layers in the README stay true:

    cli > ui > app > features > storage > core       (a layer imports only below it)
    adapters: imported by app and cli only; import only their own concern,
              the shared adapters._util / _x11 / _dbus, and the leaves
    features: independent of each other
    core: imports nothing of ours outside core
    leaves (the package root, i18n, files, ui._tk with _dpi and _theme): import only leaves
"""
from __future__ import annotations

import ast
from pathlib import Path

import posture_assistant

PACKAGE = "posture_assistant"
ROOT = Path(posture_assistant.__file__).parent
LAYERS = ["core", "storage", "features", "app", "ui", "cli"]  # bottom to top
LEAVES = {PACKAGE, f"{PACKAGE}.i18n", f"{PACKAGE}.files",
          f"{PACKAGE}.ui._tk", f"{PACKAGE}.ui._dpi", f"{PACKAGE}.ui._theme"}
SHARED_ADAPTERS = {f"{PACKAGE}.adapters._util", f"{PACKAGE}.adapters._x11",
                   f"{PACKAGE}.adapters._dbus"}


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(name: str, modules: set[str]) -> str:
    """The module an import names: `from a import b` is a.b if that is a
    module of ours, else a."""
    return name if name in modules else name.rsplit(".", 1)[0]


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    files = {module_name(p, root): p for p in root.rglob("*.py")}
    modules = set(files)
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(up + ([base] if base else []))
                found |= {_resolve(f"{base}.{a.name}", modules) for a in node.names}
        graph[name] = {m for m in found if m == PACKAGE or m.startswith(PACKAGE + ".")}
    return graph


def layer(module: str) -> str | None:
    parts = module.split(".")
    if module in LEAVES:
        return "leaf"
    if len(parts) == 1 or parts[1] in ("__main__",):
        return "main"
    return parts[1] if parts[1] in (*LAYERS, "adapters") else "leaf"


def violations(graph: dict[str, set[str]]) -> list[str]:
    found = []
    for importer, imported in sorted(graph.items()):
        for target in sorted(imported):
            why = _rule(importer, target)
            if why:
                found.append(f"{importer} imports {target}: {why}")
    return found


def _rule(importer: str, target: str) -> str | None:
    a, b = layer(importer), layer(target)
    if a == "main" or b == "leaf" and a != "core":
        return None
    if a == "core":
        return None if b == "core" else "the core imports nothing outside itself"
    if a == "leaf":
        return "a leaf imports only leaves"
    if b == "adapters":
        if a == "adapters":
            return _adapter_to_adapter(importer, target)
        return None if a in ("app", "cli") else "only app and cli may use adapters"
    if a == "adapters":
        return "adapters import only their own concern and the leaves"
    if a == "features" and b == "features" and _feature(importer) != _feature(target):
        return "features are independent of each other"
    if LAYERS.index(b) > LAYERS.index(a):
        return f"{a} is below {b}"
    return None


def _adapter_to_adapter(importer: str, target: str) -> str | None:
    if target in SHARED_ADAPTERS or _feature(importer) == _feature(target):
        return None
    return "adapters are independent of each other"


def _feature(module: str) -> str:
    return ".".join(module.split(".")[:3])


def test_the_package_keeps_its_layers():
    assert violations(import_graph()) == []


def test_every_rule_can_fail():
    broken = {
        f"{PACKAGE}.core.scheduler": {f"{PACKAGE}.i18n"},
        f"{PACKAGE}.storage.store": {f"{PACKAGE}.app.loop"},
        f"{PACKAGE}.features.checklist.model": {f"{PACKAGE}.features.stats.model"},
        f"{PACKAGE}.adapters.idle._x11": {f"{PACKAGE}.adapters.tray.icon"},
        f"{PACKAGE}.adapters.tray.icon": {f"{PACKAGE}.storage.store"},
        f"{PACKAGE}.features.checklist.reminders": {f"{PACKAGE}.adapters.notify"},
        f"{PACKAGE}.i18n": {f"{PACKAGE}.storage.store"},
        f"{PACKAGE}.app.loop": {f"{PACKAGE}.cli._console"},
    }
    found = violations(broken)
    assert len(found) == len(broken), found


def test_imports_inside_functions_and_relative_ones_count(tmp_path):
    pkg = tmp_path / PACKAGE
    (pkg / "core").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "core" / "__init__.py").write_text("")
    (pkg / "app.py").write_text("")
    (pkg / "core" / "a.py").write_text("def f():\n    from .. import app\n")
    assert import_graph(pkg)[f"{PACKAGE}.core.a"] == {f"{PACKAGE}.app"}
