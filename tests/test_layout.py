"""The package's shape: every module imports on its own, and no two modules import each other in a circle."""
import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "voicecoach"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imported(name: str, path: Path) -> set[str]:
    """Our modules that `name` imports, anywhere in it (at the top or inside a function)."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")[:len(package.split(".")) - node.level + 1] if node.level else []
            target = ".".join(base + ([node.module] if node.module else []))
            candidates = [f"{target}.{a.name}" for a in node.names] + [target]
        elif isinstance(node, ast.Import):
            candidates = [a.name for a in node.names]
        else:
            continue
        found.update(c for c in candidates if c in MODULES and c != name)
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each circle of imports, found by depth-first search."""
    found, state = [], {}

    def visit(node, trail):
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                found.append(trail[trail.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return found


def test_the_cycle_finder_finds_a_circle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_imports_itself_back_through_others():
    graph = {name: imported(name, path) for name, path in MODULES.items()}
    assert sum(len(v) for v in graph.values()) > 100  # the walk sees the imports
    assert cycles(graph) == []


def test_every_module_imports_on_its_own():
    script = f"""
import importlib, sys
failed = []
for name in {sorted(set(MODULES) - {"voicecoach.__main__"})!r}:
    for loaded in [m for m in sys.modules if m == "voicecoach" or m.startswith("voicecoach.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception as exc:
        failed.append(f"{{name}}: {{exc!r}}")
print("\\n".join(failed))
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_the_top_level_is_short_and_the_pipeline_has_its_folders():
    top = sorted(p.stem for p in PACKAGE.glob("*.py"))
    folders = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file())
    assert len(top) <= 12, top
    assert {"listen", "understand", "practices", "speech", "audio", "cli", "device", "measure"} <= set(folders)


def test_the_readme_layout_names_every_top_level_module_and_folder():
    readme = (PACKAGE.parent / "README.md").read_text()
    layout = readme[readme.index("```\nvoicecoach/"):]
    layout = layout[:layout.index("```", 4)]
    names = [p.name for p in PACKAGE.glob("*.py") if not p.name.startswith("__")]
    names += [f"{p.name}/" for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()]
    assert [n for n in names if n not in layout] == []
    for module in ("device", "cli", "measure"):  # each module of these folders is named in its line
        for path in (PACKAGE / module).glob("*.py"):
            assert path.stem == "__init__" or path.stem in layout, path
