"""Phone layout (390 px wide) of the director's inbox.

Streamlit stacks the columns of a row one under the other below 640 px: the inbox's heading row
became a list of five headings far from their values. On a phone the heading row is hidden and
each row becomes a card whose values carry their heading just above them (the same French
words); from 640 px up nothing changes. Rows and headings are found by their container key
(``st-key-inbox_row_<id>`` / ``st-key-inbox_head_<tab>``).
"""

from __future__ import annotations

import streamlit as st

PHONE = "(max-width: 640px)"


def _labels(headings: list[str]) -> str:
    # Column 1 is the checkbox; the headings name columns 2 to 6.
    rules = []
    for position, heading in enumerate(headings[:-1], start=2):  # "Action": its button says it
        text = heading.replace("\\", "\\\\").replace('"', '\\"')
        rules.append(
            f'[class*="st-key-inbox_row_"] [data-testid="stColumn"]:nth-child({position})::before '
            f'{{ content: "{text}"; display: block; font-size: 0.8rem; font-weight: 600; opacity: 0.75; margin-bottom: -0.4rem; }}'
        )
    return "\n".join(rules)


def inbox_rows_as_cards(headings: list[str]) -> None:
    """Serve the phone rules of the inbox (our own fixed words only, no user text)."""
    st.html(f"""<style>
@media {PHONE} {{
  [class*="st-key-inbox_head_"] [data-testid="stColumn"]:not(:first-child) {{ display: none; }}
  [class*="st-key-inbox_row_"] {{ border-bottom: 1px solid rgba(49, 51, 63, 0.2); padding-bottom: 0.5rem; }}
  [class*="st-key-inbox_row_"] [data-testid="stHorizontalBlock"] {{ flex-wrap: wrap; gap: 0.9rem 0.75rem; }}
  [class*="st-key-inbox_row_"] [data-testid="stColumn"] {{ flex: 1 1 100% !important; width: auto !important;
    min-width: 0 !important; gap: 0.1rem !important; }}
  [class*="st-key-inbox_row_"] [data-testid="stColumn"]:nth-child(1) {{ flex: 0 0 1.75rem !important; }}
  [class*="st-key-inbox_row_"] [data-testid="stColumn"]:nth-child(2) {{ flex: 1 1 calc(100% - 2.75rem) !important; }}
{_labels(headings)}
}}
</style>""")
