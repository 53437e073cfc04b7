"""Sum the axe-core reports the accessibility browser test writes (test-results/axe/*.json).

    python scripts/axe_report.py [DIR]

prints the critical and serious violations (nodes) per rule and per page state, split into
those the project must fix and the accepted framework exceptions.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

BLOCKING = {"critical", "serious"}


def main(directory: Path) -> None:
    per_rule: Counter = Counter()
    per_rule_accepted: Counter = Counter()
    per_page: dict[str, tuple[int, int]] = {}
    for report in sorted(directory.glob("*.json")):
        rows = [r for r in json.loads(report.read_text(encoding="utf-8")) if r["impact"] in BLOCKING]
        blocking = [r for r in rows if not r["accepted"]]
        accepted = [r for r in rows if r["accepted"]]
        per_page[report.stem] = (len(blocking), len(accepted))
        per_rule.update(f"{r['rule']} ({r['impact']})" for r in blocking)
        per_rule_accepted.update(f"{r['rule']} ({r['impact']})" for r in accepted)
    print(f"{len(per_page)} page states; critical+serious nodes: {sum(b for b, _ in per_page.values())} to fix, "
          f"{sum(a for _, a in per_page.values())} accepted (framework)")
    print("\nPer rule (to fix / accepted):")
    for rule in sorted(set(per_rule) | set(per_rule_accepted)):
        print(f"  {rule:45} {per_rule[rule]:5} / {per_rule_accepted[rule]}")
    print("\nPer page state (to fix / accepted):")
    for page, (blocking, accepted) in per_page.items():
        print(f"  {page:45} {blocking:5} / {accepted}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "test-results" / "axe")
