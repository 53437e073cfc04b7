/* Stages de seconde – accessibility in French, inlined in the served page by stages/french_page.py.
 *
 * 1. Streamlit draws English accessible names ("Show password", "Help for …", "day, …"):
 *    they are translated as they appear (a MutationObserver), and decorative icons are hidden.
 * 2. A field's error is drawn by stages/ui/a11y.field_error inside `.st-key-fielderr-<widget key>`:
 *    the field gets aria-invalid="true" and aria-describedby the message.
 * 3. A list drawn as rows of columns inside `.st-key-a11y-table-…` (the director's inbox) gets
 *    table semantics: table, rows, column headers (its first row), cells.
 * 4. After a click or Enter that ends with errors on screen, focus goes to the first field in
 *    error (or to the first error message when it belongs to no field).
 */
(function () {
  "use strict";
  document.documentElement.lang = "fr";
  var EXACT = {
    "Show password": "Afficher le mot de passe",
    "Hide password": "Masquer le mot de passe",
    "Skip to main content": "Aller au contenu principal",
    "Link to heading": "Lien vers ce titre",
    "Select all": "Tout sélectionner",
    "Upload": "Téléverser",
    "file upload": "Téléverser un fichier",
    "Browse files": "Parcourir les fichiers",
    "Drag and drop file here": "Glissez-déposez le fichier ici",
    "Choose date": "Choisir une date",
    "Clear all": "Tout effacer",
    "Clear value": "Effacer la valeur",
    "Selected values": "Valeurs sélectionnées",
    "Choose an option": "Choisissez une option",
    "No results": "Aucun résultat",
    "Open": "Ouvrir",
    "Close": "Fermer",
    "Collapse sidebar": "Replier le menu",
    "Expand sidebar": "Déplier le menu",
    "Sidebar": "Menu latéral",
    "App pages": "Pages de l'application",
    "Increment": "Augmenter",
    "Decrement": "Diminuer",
    "Download as CSV": "Télécharger en CSV",
    "Search": "Rechercher",
    "Fullscreen": "Plein écran",
    "Close fullscreen": "Quitter le plein écran",
    "Show/hide columns": "Afficher ou masquer des colonnes",
    "progress": "progression",
    "Download plot as a PNG": "Télécharger le graphique (PNG)",
    "Zoom": "Zoom",
    "Pan": "Déplacer",
    "Zoom in": "Agrandir",
    "Zoom out": "Réduire",
    "Autoscale": "Échelle automatique",
    "Reset axes": "Réinitialiser les axes",
    "Press Enter to apply": "Appuyez sur Entrée pour valider",
    "Press Enter to submit form": "Appuyez sur Entrée pour envoyer le formulaire",
    "Copy to clipboard": "Copier",
    "Running...": "Calcul en cours…"
  };
  var PREFIXES = [
    ["Help for ", "Aide : "], ["day, ", "jour, "], ["month, ", "mois, "], ["year, ", "année, "],
    ["Remove ", "Retirer "], ["Limit 200MB per file", "Limite 200 Mo par fichier"]
  ];
  var ATTRIBUTES = ["aria-label", "title", "placeholder", "data-title", "aria-roledescription"];

  function french(value) {
    if (!value) return null;
    var trimmed = value.trim();
    if (Object.prototype.hasOwnProperty.call(EXACT, trimmed)) {
      return EXACT[trimmed] === trimmed ? null : value.replace(trimmed, EXACT[trimmed]);
    }
    for (var i = 0; i < PREFIXES.length; i++) {
      if (trimmed.indexOf(PREFIXES[i][0]) === 0) return value.replace(PREFIXES[i][0], PREFIXES[i][1]);
    }
    return null;
  }

  function translateElement(el) {
    for (var i = 0; i < ATTRIBUTES.length; i++) {
      var value = el.getAttribute(ATTRIBUTES[i]);
      var fr = french(value);
      if (fr !== null) el.setAttribute(ATTRIBUTES[i], fr);
    }
    var label = el.getAttribute("aria-label");
    // Material icons named "cloud_done icon": decorative next to their text.
    if (label && / icon$/.test(label) && el.getAttribute("aria-hidden") !== "true") {
      el.removeAttribute("aria-label");
      el.setAttribute("aria-hidden", "true");
    }
  }

  function translateText(node) {
    var fr = french(node.nodeValue);
    if (fr !== null) node.nodeValue = fr;
  }

  function translateTree(root) {
    if (root.nodeType === 3) { translateText(root); return; }
    if (root.nodeType !== 1) return;
    // Charts' SVG (plotly: thousands of nodes) carries no framework name to translate.
    if (root.namespaceURI === "http://www.w3.org/2000/svg") return;
    translateElement(root);
    var elements = root.querySelectorAll("[aria-label],[title],[placeholder],[data-title],[aria-roledescription]");
    for (var i = 0; i < elements.length; i++) translateElement(elements[i]);
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    var node;
    while ((node = walker.nextNode())) translateText(node);
  }

  // ------------------------------------------------------------------ fields in error
  var FIELD = "input:not([type=hidden]), textarea, [role=combobox], [role=radiogroup], [role=spinbutton]";
  var pendingSubmit = 0;
  var ranSinceSubmit = false;
  var lastFocused = "";

  function fieldOf(errorBox) {
    var match = /(?:^|\s)st-key-fielderr-(\S+)/.exec(errorBox.className);
    if (!match) return null;
    var holder = document.querySelector(".st-key-" + CSS.escape(match[1]));
    if (!holder) return null;
    return holder.matches(FIELD) ? holder : holder.querySelector(FIELD);
  }

  function linkErrors() {
    var boxes = document.querySelectorAll("[class*='st-key-fielderr-']");
    var first = null;
    var linked = new Set();
    boxes.forEach(function (box, index) {
      var alert = box.querySelector("[data-testid=stAlert], [role=alert]") || box;
      if (!alert.id) alert.id = "erreur-champ-" + index;
      set(alert, "tabindex", "-1");
      var field = fieldOf(box);
      if (field) {
        set(field, "aria-invalid", "true");
        set(field, "aria-describedby", alert.id);
        set(field, "data-a11y-error", "1");
        linked.add(field);
      }
      if (!first) first = field || alert;
    });
    // A field whose error is gone is valid again.
    document.querySelectorAll("[data-a11y-error]").forEach(function (field) {
      if (!linked.has(field)) {
        field.removeAttribute("aria-invalid");
        field.removeAttribute("aria-describedby");
        field.removeAttribute("data-a11y-error");
      }
    });
    if (!first) {  // an error that belongs to no field (a refusal, a summary)
      var other = document.querySelector("[data-testid=stMain] [data-testid=stAlertContentError]");
      if (other) {
        first = other.closest("[data-testid=stAlert]") || other;
        first.setAttribute("tabindex", "-1");
      }
    }
    return first;
  }

  function idle() {
    var app = document.querySelector("[data-testid=stApp]");
    return app && app.getAttribute("data-test-script-state") === "notRunning";
  }

  function afterRun() {
    applyTables();
    var first = linkErrors();
    // Only once the run the click started is over (not on the errors still shown from before it).
    if (!pendingSubmit || !ranSinceSubmit || !idle()) {
      if (pendingSubmit && !ranSinceSubmit && Date.now() - pendingSubmit > 3000) pendingSubmit = 0;
      return;
    }
    ranSinceSubmit = false;
    if (first) {
      pendingSubmit = 0;
      var signature = first.id || first.getAttribute("aria-describedby") || "";
      lastFocused = signature;
      first.focus();
    } else if (Date.now() - pendingSubmit > 3000) {
      pendingSubmit = 0;
    }
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("button, [role=button]")) submitted();
  }, true);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches && event.target.matches("input, button")) {
      submitted();
    }
  }, true);

  function submitted() {
    pendingSubmit = Date.now();
    ranSinceSubmit = false;
  }

  function set(el, name, value) {  // unchanged attributes are not written (no mutation, no loop)
    if (el.getAttribute(name) !== value) el.setAttribute(name, value);
  }

  // ------------------------------------------------------------------ table semantics
  function applyTables() {
    document.querySelectorAll("[class*='st-key-a11y-table-']").forEach(function (table) {
      set(table, "role", "table");
      var rows = Array.prototype.filter.call(table.querySelectorAll("[data-testid=stHorizontalBlock]"),
        function (row) { return row.parentElement.closest("[data-testid=stHorizontalBlock]") === null ||
                                !table.contains(row.parentElement.closest("[data-testid=stHorizontalBlock]")); });
      rows.forEach(function (row, index) {
        set(row, "role", "row");
        // Wrappers between the table and its rows carry no meaning.
        for (var up = row.parentElement; up && up !== table; up = up.parentElement) {
          if (!up.getAttribute("role")) set(up, "role", "presentation");
        }
        Array.prototype.forEach.call(row.children, function (cell) {
          if (cell.getAttribute("data-testid") === "stColumn") {
            set(cell, "role", index === 0 ? "columnheader" : "cell");
          }
        });
      });
      if (!table.getAttribute("aria-label")) set(table, "aria-label", "Liste des candidatures");
    });
  }

  // ------------------------------------------------------------------ observer
  var timer = null;
  function schedule() {
    if (timer) return;
    timer = setTimeout(function () { timer = null; afterRun(); }, 60);
  }

  function start() {
    translateTree(document.body);
    new MutationObserver(function (mutations) {
      for (var i = 0; i < mutations.length; i++) {
        var m = mutations[i];
        if (m.type === "attributes" && m.attributeName === "data-test-script-state") {
          if (pendingSubmit) ranSinceSubmit = true;
        } else if (m.type === "attributes") translateElement(m.target);
        else if (m.type === "characterData") translateText(m.target);
        else for (var j = 0; j < m.addedNodes.length; j++) translateTree(m.addedNodes[j]);
      }
      schedule();
    }).observe(document.body, {
      subtree: true, childList: true, characterData: true, attributes: true,
      attributeFilter: ATTRIBUTES.concat(["data-test-script-state"])
    });
  }

  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
})();
