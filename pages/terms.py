"""Conditions d'utilisation."""

import streamlit as st

from stages.domain import security
from stages.domain.passwords import MIN_LENGTH

st.title("Conditions d'utilisation")
st.caption("Version du pilote 2025-2026 – Direction des services départementaux de l'Éducation nationale "
           "de Saône-et-Loire (DSDEN 71).")
st.markdown(f"""
### 1. Objet du service

« Stages de seconde en école » est un service pilote de la DSDEN de Saône-et-Loire. Il permet :

- aux directeurs et directrices d'école du département de déposer des offres de stage d'observation pour
  les élèves de 2de, de répondre aux candidatures et de suivre les conventions ;
- aux élèves de 2de des lycées généraux et technologiques de consulter ces offres et d'y candidater ;
- à la DSDEN et aux inspecteurs de l'Éducation nationale (IEN) de suivre les offres et les places
  proposées, circonscription par circonscription.

Le service est gratuit. Il complète, pour les stages en école, la plateforme nationale ; il ne la remplace pas.

### 2. Création et usage du compte

- Un compte est personnel. Les directeurs et directrices créent leur compte avec l'adresse
  électronique de leur école (`071xxxxX@ac-dijon.fr` ou `ce.071xxxxX@ac-dijon.fr`), qui le rattache à l'école.
- Les élèves créent leur compte avec leur propre adresse électronique et indiquent leur lycée.
- Le compte doit être activé avec le lien envoyé par courriel ; ce lien est valable {security.ACTIVATION_HOURS} heures.
- Vous êtes responsable de la confidentialité de votre mot de passe ({MIN_LENGTH} caractères au moins, avec une
  minuscule, une majuscule, un chiffre et un caractère spécial). Ne le communiquez à personne :
  la DSDEN ne vous le demandera jamais.
- Après {security.MAX_FAILED_LOGINS} essais de mot de passe erronés, le compte est bloqué pendant
  {security.LOCKOUT_MINUTES} minutes.
- « Se souvenir de moi » garde la connexion ouverte {security.REMEMBER_DAYS} jours sur l'appareil utilisé : ne cochez pas
  cette case sur un ordinateur partagé. Sans elle, la session se ferme après {security.IDLE_MINUTES} minutes
  d'inactivité.

### 3. Engagements des utilisateurs

- Les informations saisies (offres, candidatures, profil) doivent être exactes et à jour.
- Les offres décrivent un stage d'observation réel, dans le respect du temps scolaire et des règles
  applicables à l'accueil de mineurs dans les écoles.
- Les lettres de motivation et les échanges restent courtois ; aucun contenu injurieux, discriminatoire
  ou sans rapport avec le stage n'est admis.
- Les informations personnelles des élèves consultées par une école ne servent qu'au traitement de
  leur candidature.

### 4. Rôle de la DSDEN

La DSDEN de Saône-et-Loire administre le service. Elle peut retirer une offre ou un contenu
contraire aux présentes conditions, et désactiver un compte utilisé de façon abusive, après en avoir
informé son titulaire sauf urgence.

### 5. Disponibilité

Le service est un pilote : il peut être interrompu pour maintenance ou évoluer. Les données enregistrées
ne sont pas perdues lors d'une interruption.

### 6. Données personnelles

Les données traitées, leurs finalités, leurs durées de conservation et vos droits sont décrits dans
la Politique de confidentialité.

### 7. Contact

DSDEN de Saône-et-Loire – Cité administrative – 24 boulevard Henri Dunant – 71000 Mâcon.
""")
st.page_link("pages/privacy.py", label="Lire la Politique de confidentialité", icon=":material/shield:")
