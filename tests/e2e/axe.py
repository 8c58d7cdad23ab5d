"""Run axe-core in a Playwright page and fail on serious or critical violations."""

from pathlib import Path

from playwright.sync_api import Page

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
AXE_JS = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
FAILING_IMPACTS = ("serious", "critical")


def axe_violations(page: Page) -> list[dict]:
    """Every axe violation on the page as it is now (axe is injected once per document)."""
    if not AXE_JS.exists():
        raise FileNotFoundError(f"{AXE_JS} is missing: run `npm ci` in {REPO_ROOT}")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    results = page.evaluate("async () => await axe.run(document)")
    return results["violations"]


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- [{violation['impact']}] {violation['id']}: {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            html = " ".join(node.get("html", "").split())
            lines.append(f"    at {target}  {html[:120]}")
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    """Fail listing every serious or critical axe violation (id, help, target nodes)."""
    serious = [v for v in axe_violations(page) if v.get("impact") in FAILING_IMPACTS]
    if serious:
        raise AssertionError(
            f"{len(serious)} serious/critical accessibility violation(s) on {page.url}:\n"
            + format_violations(serious)
        )
