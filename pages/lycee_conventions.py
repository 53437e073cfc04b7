"""« Conventions de stage » of the chef d'établissement: the conventions of the lycée's students,
the lycée's part to complete, signing one by one or several at once; and the lycée's students
without a confirmed stage."""

import streamlit as st

from stages.ui import conventions, coverage
from stages.ui.session import page_user

user = page_user()
st.title("Conventions de stage")
conventions_tab, students_tab = st.tabs(["Conventions", "Élèves sans stage confirmé"])
with conventions_tab:
    st.caption("Les conventions des élèves de votre lycée dont la candidature à un stage a été acceptée. "
               "Complétez la partie du lycée (professeur référent, classe), puis signez. "
               "Feux : 🟢 fait, 🟠 à faire, ⚪ pas encore possible.")
    conventions.render_lycee_head(user)
with students_tab:
    coverage.lycee_students_section(user)
