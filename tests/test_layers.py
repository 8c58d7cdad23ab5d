"""No view, API view or task queries another app's models directly (issue 12).

Each `apps/<app>/views.py`, `api.py` and `tasks.py` (or a package of that name) is parsed with
`ast`. Importing a model class from another app's `models` (or the module itself) fails: the
road to another app's rows is its `access`, `selectors` or `services`. Its choices and
constants (`Role`, `AccessLogKind`) are plain values and may be imported.
"""

import ast
import importlib
import sys
from pathlib import Path

import pytest
from django.db.models import Model

APPS = Path(__file__).resolve().parent.parent / "apps"
LAYERS = ("views", "api", "tasks")


def modules() -> list[Path]:
    found = []
    for layer in LAYERS:
        found += APPS.glob(f"*/{layer}.py")
        found += APPS.glob(f"*/{layer}/*.py")
    return sorted(found)


def models_imports(path: Path) -> list[tuple[int, str, str | None]]:
    """(line, models module, imported name or None for the module) of every import of an
    `apps.<app>.models` module in `path`, wherever in the file it is."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _is_models(alias.name):
                    found.append((node.lineno, alias.name, None))
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                if _is_models(node.module):
                    found.append((node.lineno, node.module, alias.name))
                elif _is_models(f"{node.module}.{alias.name}"):
                    found.append((node.lineno, f"{node.module}.{alias.name}", None))
    return found


def _is_models(module: str) -> bool:
    parts = module.split(".")
    return len(parts) == 3 and parts[0] == "apps" and parts[2] == "models"


def violations(path: Path) -> list[str]:
    app = path.relative_to(APPS).parts[0]
    found = []
    for line, module, name in models_imports(path):
        if module.split(".")[1] == app:
            continue
        if name is None:
            found.append(f"{path.relative_to(APPS.parent)}:{line} imports {module}")
            continue
        value = getattr(importlib.import_module(module), name)
        if isinstance(value, type) and issubclass(value, Model):
            found.append(f"{path.relative_to(APPS.parent)}:{line} imports {module}.{name}")
    return found


def test_every_app_has_views_api_or_tasks_to_check():
    assert len(modules()) >= 15


@pytest.mark.parametrize("path", modules(), ids=lambda path: str(path.relative_to(APPS)))
def test_no_view_api_or_task_imports_another_apps_models(path):
    assert violations(path) == []


def test_the_check_finds_a_model_class_and_a_models_module_but_not_a_choice(tmp_path):
    source = tmp_path / "views.py"
    source.write_text(
        "from apps.accounts.models import Role\n"
        "from apps.reports.models import ExportJob\n"
        "def f():\n"
        "    from apps.children.models import Child\n"
        "    import apps.homes.models\n"
        "    from apps.episodes import models\n"
    )
    found = models_imports(source)
    assert found == [
        (1, "apps.accounts.models", "Role"),
        (2, "apps.reports.models", "ExportJob"),
        (4, "apps.children.models", "Child"),
        (5, "apps.homes.models", None),
        (6, "apps.episodes.models", None),
    ]


def test_violations_names_another_apps_model_and_lets_its_choices_and_own_models_pass(
    tmp_path, monkeypatch
):
    app = tmp_path / "apps" / "reports"
    app.mkdir(parents=True)
    (app / "views.py").write_text(
        "from apps.accounts.models import Role\n"
        "from apps.reports.models import ExportJob\n"
        "from apps.children.models import Child\n"
        "import apps.homes.models\n"
    )
    monkeypatch.setattr(sys.modules[__name__], "APPS", tmp_path / "apps")
    assert violations(app / "views.py") == [
        "apps/reports/views.py:3 imports apps.children.models.Child",
        "apps/reports/views.py:4 imports apps.homes.models",
    ]
