"""The guide's character counters ("38 caractères / 1500", "0/1000 caractères") follow the typing.

A Streamlit text area sends its value only when it loses focus (it has no ``live`` option), so
the counter computed on the server would lag. The server still renders the counter (the true
figure after each run); this script, served once per page, updates it in the browser on every
keystroke: it counts as ``stages.domain.text.clean_text`` does (NFC, no control characters,
trimmed; characters, not UTF-16 units) and writes the same words as
``stages.domain.offers.count_label``. It handles only our own fields (by their label) and only
reads the field's value, never sends it anywhere.
"""

from __future__ import annotations

import json

import streamlit as st

_SCRIPT = """
<script>
(function () {
  const fields = window.__stagesCounters = Object.assign(window.__stagesCounters || {}, %s);
  if (window.__stagesCountersBound) return;
  window.__stagesCountersBound = true;
  const clean = (v) => v.normalize("NFC").replace(/\\r\\n?/g, "\\n")
                        .replace(/[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]/g, "").trim();
  document.addEventListener("input", (event) => {
    const area = event.target;
    if (!(area instanceof HTMLTextAreaElement)) return;
    const spec = window.__stagesCounters[area.getAttribute("aria-label")];
    if (!spec) return;
    const n = [...clean(area.value)].length;
    const words = spec.short ? `${n}/${spec.max} caractères` : `${n} caractères / ${spec.max}`;
    let box = area.closest('[data-testid="stElementContainer"]');
    for (let i = 0; box && i < 3; i++) {
      box = box.nextElementSibling;
      const caption = box && box.querySelector('[data-testid="stCaptionContainer"] p');
      if (caption && /caractères/.test(caption.textContent)) { caption.textContent = words; return; }
    }
  }, true);
})();
</script>
"""


def follow_typing(label: str, maximum: int, short: bool = False) -> None:
    """Make the counter shown right after the text area ``label`` follow the typing."""
    spec = json.dumps({label: {"max": int(maximum), "short": bool(short)}}).replace("</", "<\\/")
    st.html(_SCRIPT % spec, unsafe_allow_javascript=True)
