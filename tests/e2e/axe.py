"""axe-core in the browser tests: inject it (npm package ``axe-core``), run it, sort what it finds.

``ACCEPTED`` is the one list of the violations the project accepts because only Streamlit (the
framework) can fix them; the README's « Déclaration d'accessibilité » lists the same ones. Each
entry names the axe rule and the framework element it is accepted on (a CSS-selector fragment of
the node's target); anything else critical or serious fails the test.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
REPORT_DIR = Path(os.environ.get("AXE_REPORT_DIR", ROOT / "test-results" / "axe"))
BLOCKING = {"critical", "serious"}
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


@dataclass(frozen=True)
class Accepted:
    rule: str
    target: str  # fragment of the node's CSS target (axe's selector) it is accepted on
    reason: str


ACCEPTED: list[Accepted] = []


def _accepted(rule: str, target: str) -> Accepted | None:
    for entry in ACCEPTED:
        if entry.rule == rule and entry.target in target:
            return entry
    return None


def run_axe(page) -> list[dict]:
    """Run axe-core on the page as it is; return its violations (rule, impact, node targets)."""
    if not AXE_JS.exists():
        raise AssertionError(f"axe-core is not installed ({AXE_JS}): run `npm ci`")
    for attempt in range(3):  # a login through /app/session reloads the page: inject again
        try:
            page.wait_for_selector(IDLE)
            if not page.evaluate("() => typeof window.axe !== 'undefined'"):
                page.add_script_tag(path=str(AXE_JS))
            break
        except Exception:  # noqa: BLE001 - "execution context was destroyed" by that navigation
            if attempt == 2:
                raise
            page.wait_for_load_state("load")
    result = page.evaluate("async () => { const r = await axe.run(document, {resultTypes: ['violations']});"
                           " return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
                           " nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 300),"
                           " impact: n.impact}))})); }")
    return result


# Every accessible name or hint the page carries in attributes, and the text of visually hidden nodes.
NAMES_JS = """() => {
  const out = new Set();
  for (const el of document.querySelectorAll('[aria-label],[title],[placeholder],[alt],[aria-roledescription]')) {
    for (const a of ['aria-label', 'title', 'placeholder', 'alt', 'aria-roledescription']) {
      const v = el.getAttribute(a); if (v) out.add(a + '=' + v);
    }
  }
  for (const el of document.querySelectorAll('a, button, [role=button], label, [role=tooltip]')) {
    const t = (el.textContent || '').trim(); if (t && t.length < 80) out.add('text=' + t);
  }
  out.add('lang=' + document.documentElement.lang);
  return [...out].sort();
}"""


# English names Streamlit draws that the page's script must have translated (stages/static/french_names.js).
ENGLISH = ("Show password", "Hide password", "Help for ", "Skip to main content", "Link to heading", "Select all",
           "Upload", "file upload", "day, ", "month, ", "year, ", "Browse files", "Choose date", "Clear all",
           "Collapse sidebar", "Increment", "Decrement", "Download as CSV", "Fullscreen")


def english_names(names: list[str]) -> list[str]:
    """The page's names (``NAMES_JS``) still in English, and a page not served as French."""
    left = [n for n in names if any(n.split("=", 1)[1].startswith(e) for e in ENGLISH)]
    return left + [n for n in names if n.startswith("lang=") and n != "lang=fr"]


def check(page, state: str) -> list[str]:
    """Run axe, write the state's report (test-results/axe/<state>.json), return the blocking problems."""
    violations = run_axe(page)
    problems: list[str] = []
    rows = []
    for violation in violations:
        for node in violation["nodes"]:
            impact = node["impact"] or violation["impact"]
            accepted = _accepted(violation["id"], node["target"])
            rows.append({"rule": violation["id"], "impact": impact, "target": node["target"],
                         "html": node["html"], "accepted": bool(accepted)})
            if impact in BLOCKING and not accepted:
                problems.append(f"{state}: {violation['id']} ({impact}) {violation['help']} — {node['target']}"
                                f"\n    {node['html'][:200]}")
    names = page.evaluate(NAMES_JS)
    problems += [f"{state}: not French: {name}" for name in english_names(names)]
    (REPORT_DIR / "names").mkdir(parents=True, exist_ok=True)
    (REPORT_DIR / "names" / f"{state}.json").write_text(json.dumps(names, ensure_ascii=False, indent=1),
                                                         encoding="utf-8")
    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    (REPORT_DIR / f"{state}.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    return problems
