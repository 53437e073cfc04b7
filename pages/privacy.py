"""Politique de confidentialité: what the pilot stores, why, and for how long."""

import streamlit as st

from stages.domain import security
from stages.domain.candidatures import DEFAULT_RESPONSE_DELAY_DAYS
from stages.services.retention import INACTIVE_YEARS

st.title("Politique de confidentialité")
st.caption("Service pilote « Stages de seconde en école » – DSDEN de Saône-et-Loire.")
st.markdown(f"""
### Responsable du traitement

La Direction des services départementaux de l'Éducation nationale de Saône-et-Loire (DSDEN 71),
Cité administrative, 24 boulevard Henri Dunant, 71000 Mâcon, pour le compte de la directrice
académique des services de l'Éducation nationale. Le traitement relève de la mission de service public
d'organisation des stages d'observation des élèves de 2de (article 6.1.e du RGPD).

### Ce que nous enregistrons, et pourquoi

| Données | Pour qui | Pourquoi |
|---|---|---|
| Prénom, nom, adresse électronique, fonction | directeurs et directrices, DSDEN, IEN | identifier le titulaire du compte et lui écrire |
| École (UAI, tirée de l'adresse de l'école) | directeurs et directrices | rattacher les offres à l'école et à sa circonscription |
| Prénom, nom, adresse électronique, lycée | élèves | présenter la candidature à l'école, suivre les stages par lycée |
| Offres de stage (métier, activités, lieu, horaires, téléphone de l'école) | écoles | publier l'offre ; le téléphone n'est pas montré aux élèves |
| Candidatures (lettre de motivation, dates, réponse de l'école) | élèves et écoles | traiter la candidature dans le délai de {DEFAULT_RESPONSE_DELAY_DAYS} jours, préparer la convention |
| Conventions de stage : tuteur, professeur référent, classe, date de naissance, PAI (oui/non), nom et adresse du ou des représentants légaux, signatures (nom, date, empreinte du document, adresse réseau), exemplaire signé numérisé | école, lycée, élève et représentant légal de la convention | établir et signer la convention ; le lien envoyé au représentant légal ne sert qu'une fois, seule son empreinte est gardée |
| Mot de passe | tous | vous authentifier : il n'est jamais enregistré en clair, seulement son empreinte (bcrypt) |
| Nombre d'essais de connexion erronés, date de dernière connexion | tous | protéger le compte (blocage de {security.LOCKOUT_MINUTES} minutes après {security.MAX_FAILED_LOGINS} essais) |
| Connexions ouvertes (avec ou sans « Se souvenir de moi ») : date, navigateur | tous | vous garder connecté pendant la visite, ou {security.REMEMBER_DAYS} jours sur cet appareil ; seule une empreinte du jeton est gardée |
| Courriels envoyés par le service | tous | activation, mot de passe oublié, suivi des candidatures |
| Historique des changements d'état (offres, candidatures, comptes) | DSDEN | retracer qui a fait quoi en cas de réclamation |

Aucune donnée n'est vendue, cédée ni utilisée à des fins commerciales. Il n'y a ni publicité, ni mesure
d'audience, ni cookie de suivi.

### Qui voit quoi

- Une école voit ses offres et les candidatures qu'elle a reçues (prénom, nom, lycée et lettre de l'élève).
- Un élève voit les offres publiées et ses propres candidatures.
- Un IEN voit les offres et les places de sa circonscription ; la DSDEN, celles du département.
- Une convention est vue par l'école d'accueil, l'élève et le chef d'établissement de son lycée ; la DSDEN et
  les IEN n'en voient que des nombres et les écoles concernées, sans nom d'élève.

### Combien de temps

- **Données des élèves** (compte, lycée, candidatures, lettres de motivation) : conservées pendant l'année
  scolaire du stage, puis **anonymisées à la fin de l'année scolaire** (au 31 août) : nom, adresse,
  mot de passe et lettres de motivation sont effacés, les courriels reçus supprimés. Seuls restent des
  chiffres (nombre de candidatures, de stages réalisés par circonscription et par lycée). Les conventions
  de ces élèves perdent au même moment la partie de l'élève (date de naissance, PAI, représentants
  légaux), les noms et adresses des signatures et l'exemplaire signé numérisé ; leur état reste.
- **Comptes des écoles, de la DSDEN et des IEN** : conservés tant qu'ils sont utilisés ; un compte
  **sans connexion depuis {INACTIVE_YEARS} ans** est désactivé et anonymisé (nom, adresse et mot de passe effacés).
- **Offres** : conservées pour la campagne de l'année et les bilans de la DSDEN, puis archivées sans
  donnée d'élève.
- **Liens envoyés par courriel** : activation valable {security.ACTIVATION_HOURS} heures, mot de passe oublié valable
  {security.RESET_HOURS} heures ;
  chaque lien ne sert qu'une fois.
- **Connexions mémorisées** : {security.REMEMBER_DAYS} jours au plus ; sans « Se souvenir de moi », la fermeture du
  navigateur ou {security.IDLE_MINUTES} minutes sans activité. Elles prennent fin dès que vous vous déconnectez ou
  changez de mot de passe.

### Cookies

Le service n'utilise que des cookies techniques, sans consentement à recueillir :

- un cookie de protection contre les requêtes forgées, le temps de la visite ;
- le cookie de connexion `stages_session` (inaccessible aux scripts, envoyé uniquement à ce site), qui vous garde
  connecté : jusqu'à la fermeture du navigateur, ou {security.REMEMBER_DAYS} jours sur cet appareil si vous cochez
  « Se souvenir de moi ».

### Vos droits

Vous pouvez accéder à vos données, les faire rectifier (la page « Mon compte » permet de modifier votre
nom, votre fonction et votre mot de passe), en demander l'effacement ou la limitation, et vous opposer
à leur traitement dans les limites prévues par le RGPD. Pour exercer ces droits, écrivez à la DSDEN de
Saône-et-Loire, Cité administrative, 24 boulevard Henri Dunant, 71000 Mâcon, ou au délégué à la
protection des données de l'académie de Dijon. Si vous estimez, après nous avoir contactés, que vos
droits ne sont pas respectés, vous pouvez adresser une réclamation à la CNIL (www.cnil.fr).
""")
st.page_link("pages/terms.py", label="Lire les conditions d'utilisation", icon=":material/gavel:")
