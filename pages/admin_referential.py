"""Référentiel: upload the ministry's annuaire, preview the differences, then import."""

import streamlit as st

from stages.services.admin import referential_import
from stages.services.errors import ValidationError
from stages.ui.session import page_user
from stages.ui.safe import alert

user = page_user()
st.title("Référentiel")
st.write(
    "Déposez le fichier de l'annuaire de l'éducation (CSV séparé par « ; », tel que publié sur data.education.gouv.fr) "
    "ou un extrait du projet. Un aperçu montre ce qui changerait ; rien n'est enregistré avant « Importer »."
)
uploaded = st.file_uploader("Fichier de l'annuaire (CSV)", type=["csv"], key="referential_file")


def show(result: referential_import.ReferentialResult) -> None:
    counts = result.counts
    cols = st.columns(4)
    for col, (label, key) in zip(cols, (("Nouveaux", "nouveaux"), ("Modifiés", "modifiés"),
                                        ("Absents du fichier", "absents"), ("Lignes en erreur", "erreurs")),
                                 strict=True):
        col.metric(label, counts.get(key, 0), border=True)
    st.text("\n".join(result.summary))
    if not result.differences.empty:
        st.subheader("Différences avec la base")
        kinds = ["Nouveau", "Modifié", "Absent du fichier"]
        for kind, tab in zip(kinds, st.tabs(kinds), strict=True):
            rows = result.differences[result.differences["Changement"] == kind]
            with tab:
                if rows.empty:
                    st.write("Aucun.")
                else:
                    st.dataframe(rows, hide_index=True, width="stretch")
        st.caption("Les établissements absents du fichier ne sont jamais supprimés : leurs offres y restent liées.")
    if not result.errors.empty:
        st.subheader("Lignes ignorées")
        st.write("Ces lignes ne sont pas importées ; toutes les autres le sont.")
        st.dataframe(result.errors, hide_index=True, width="stretch")


if uploaded is None:
    st.info("Aucun fichier choisi.")
    st.stop()

data = uploaded.getvalue()
try:
    preview = referential_import.preview_referential(user, data)
except ValidationError as exc:
    alert("error", exc.message)
    st.stop()

st.header("Aperçu")
show(preview)
if st.button("Importer", type="primary", key="referential_import"):
    bar = st.progress(0.0, text="Import en cours…")
    result = referential_import.import_referential(user, data, lambda share: bar.progress(min(1.0, share),
                                                                           text=f"Import en cours… {share:.0%}"))
    bar.progress(1.0, text="Import terminé")
    st.success("Import terminé : les lignes valides sont enregistrées.")
    st.header("Résultat de l'import")
    show(result)
