"""axe-core accessibility checks for the browser tests."""

import functools
from pathlib import Path
from urllib.parse import urldefrag

AXE_JS = Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"

# Fail on what blocks or seriously hinders people; minor and moderate findings are reviewed by hand.
FAILING_IMPACTS = {"serious", "critical"}


@functools.cache
def _axe_source():
    return AXE_JS.read_text(encoding="utf-8")


def axe_violations(page):
    """Run axe-core on the page as it is now; return the serious and critical violations."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Not page.add_script_tag(): that adds an inline <script>, which the portal's Content Security
        # Policy rightly blocks. Evaluating through the DevTools protocol is not subject to the CSP,
        # so the tests keep the real policy and still catch any inline script of our own.
        page.evaluate(_axe_source())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v.get("impact") in FAILING_IMPACTS]


def format_violations(violations, where):
    lines = [f"axe found {len(violations)} serious or critical violation(s) on {where}:"]
    for violation in violations:
        lines.append(f"- [{violation['impact']}] {violation['id']}: {violation['help']}")
        for node in violation["nodes"]:
            target = " ".join(map(str, node["target"]))
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    {target} — {summary}")
    return "\n".join(lines)


def assert_accessible(page, what=""):
    """Fail listing every serious or critical axe violation on the page: rule, help, nodes.

    Records the page as checked, so that the ``site`` fixture can tell pages nobody audited.
    """
    violations = axe_violations(page)
    checked = getattr(page, "_axe_checked", None)
    if checked is not None:
        checked.add(urldefrag(page.url).url)
    if violations:
        raise AssertionError(format_violations(violations, f"{what} ({page.url})" if what else page.url))
