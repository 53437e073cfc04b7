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
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
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


def check(page, state: str) -> list[str]:
    """Run axe, write the state's report (test-results/axe/<state>.json), return the blocking problems."""
    violations = run_axe(page)
    problems = []
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
    (REPORT_DIR / "names").mkdir(parents=True, exist_ok=True)
    (REPORT_DIR / "names" / f"{state}.json").write_text(json.dumps(names, ensure_ascii=False, indent=1),
                                                         encoding="utf-8")
    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    (REPORT_DIR / f"{state}.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    return problems
