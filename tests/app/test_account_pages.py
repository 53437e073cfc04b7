"""The account pages with AppTest: labels of the guide, rules under the password, errors next to fields."""

import re
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from db.models import Role
from stages.services import accounts, auth, login_sessions, mail, referential
from tests.factories import user_by_email

PASSWORD = "Mot-de-passe-2025!"
DIRECTOR_EMAIL = "ce.0710020l@ac-dijon.fr"
APP = Path(__file__).resolve().parents[2] / "app.py"


def open_page(page: str, user_id: int | None = None, **query) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    if user_id is not None:
        at.session_state["user_id"] = user_id
        at.session_state["last_seen"] = time.time()
    at.run()
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page(page).run()
    assert not at.exception
    return at


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [t.value for t in at.text] + [e.value for e in at.error]
    parts += [s.value for s in at.success] + [i.value for i in at.info] + [w.value for w in at.warning]
    parts += [t.value for t in at.title] + [s.value for s in at.subheader]
    return "\n".join(str(p) for p in parts)


def fill_director(at: AppTest, email: str = DIRECTOR_EMAIL, password: str = PASSWORD) -> None:
    at.text_input(key="signup_first_name").input("Hugues")
    at.text_input(key="signup_last_name").input("Traver")
    at.text_input(key="signup_function").input("Directeur (trice)")
    at.text_input(key="signup_email").input(email)
    at.text_input(key="signup_password").input(password)
    at.checkbox(key="signup_terms").check()


def test_signup_form_has_the_guides_labels_and_rules(sqlite_url):
    at = open_page("pages/signup.py")
    assert at.title[0].value == "Se créer un compte en tant qu'offreur"
    labels = [w.label for w in at.text_input]
    assert labels == ["Prénom", "Nom", "Fonction au sein de l'entreprise", "Adresse électronique",
                      "Créer un mot de passe"]
    assert at.text_input(key="signup_password").proto.type == at.text_input(key="signup_password").proto.PASSWORD
    assert at.checkbox(key="signup_terms").label == "J'accepte les conditions d'utilisation"
    assert [b.label for b in at.button] == ["Valider"]
    page = texts(at)
    for rule in ("12 caractères", "1 minuscule", "1 majuscule", "1 chiffre", "1 caractère spécial"):
        assert rule in page
    at.text_input(key="signup_password").input("abcdefghijkl").run()
    page = texts(at)
    assert "✓ 12 caractères" in page and "✓ 1 minuscule" in page and "✗ 1 majuscule" in page
    assert "abcdefghijkl" not in page


def test_signup_refusal_names_the_rule_next_to_the_field(sqlite_url):
    at = open_page("pages/signup.py")
    fill_director(at, password="Mot-de-passe-deux!")
    at.button(key="signup_submit").click().run()
    # A field's message is shown as text (field_errors escapes it for Markdown: "\\:" reads ":").
    assert "Il manque : 1 chiffre." in [e.value.replace("\\", "") for e in at.error]
    assert at.text_input(key="signup_first_name").value == "Hugues"  # nothing typed is lost


def test_signup_with_an_unknown_school_is_refused(sqlite_url):
    at = open_page("pages/signup.py")
    fill_director(at, email="ce.0719999z@ac-dijon.fr")
    at.button(key="signup_submit").click().run()
    assert any("0719999Z" in e.value for e in at.error)


def test_signup_then_plus_qu_une_etape(sqlite_url):
    at = open_page("pages/signup.py")
    fill_director(at)
    at.button(key="signup_submit").click().run()
    assert not at.exception
    assert at.title[0].value == "Plus qu'une étape..."
    page = texts(at)
    assert "Bienvenue Hugues Traver" in page and "Votre compte a bien été enregistré !" in page
    assert "Activer mon compte" in mail.outbox(to=DIRECTOR_EMAIL)[0].body_text


def test_student_signup_chooses_a_lycee_instead_of_a_function(sqlite_url):
    at = open_page("pages/signup.py")
    at.radio(key="signup_profile").set_value("eleve").run()
    assert at.title[0].value == "Se créer un compte en tant qu'élève"
    assert "Fonction au sein de l'entreprise" not in [w.label for w in at.text_input]
    lycee = at.selectbox(key="signup_lycee")
    assert lycee.label == "Votre lycée" and len(lycee.options) > 3
    at.text_input(key="signup_first_name").input("Léa")
    at.text_input(key="signup_last_name").input("Martin")
    lycee.set_value(referential.general_lycees()[0].id)
    at.text_input(key="signup_email").input("lea.martin@example.fr")
    at.text_input(key="signup_password").input(PASSWORD)
    at.checkbox(key="signup_terms").check()
    at.button(key="signup_submit").click().run()
    assert at.title[0].value == "Plus qu'une étape..."
    assert user_by_email("lea.martin@example.fr").role == Role.STUDENT


def activation_token() -> str:
    return re.search(r"token=([\w-]+)", mail.outbox(to=DIRECTOR_EMAIL, limit=1)[0].body_text).group(1)


def test_activation_link_activates_then_login(sqlite_url):
    accounts.signup_director(first_name="Hugues", last_name="Traver", function="Directeur (trice)",
                             email=DIRECTOR_EMAIL, password=PASSWORD, accepted_terms=True)
    at = open_page("pages/activate_account.py", token=activation_token())
    assert "Bienvenue Hugues Traver : votre compte est activé" in texts(at)
    at = open_page("pages/login.py")
    at.text_input(key="login_email").input(DIRECTOR_EMAIL)
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception
    assert at.title[0].value == "Espace de Hugues.Traver"


def test_bad_activation_link_offers_to_resend(sqlite_url):
    at = open_page("pages/activate_account.py", token="faux-jeton")
    assert any("pas valable" in e.value for e in at.error)
    assert "Renvoyer le message d'activation" in [s.value for s in at.subheader]


def test_login_labels_and_links(sqlite_url):
    at = open_page("pages/login.py")
    assert at.title[0].value == "Connexion à Mon stage de seconde"
    assert [w.label for w in at.text_input] == ["Adresse électronique", "Mot de passe"]
    assert at.checkbox[0].label == "Se souvenir de moi"
    assert at.button[0].label == "Se connecter"
    links = [link.label for link in at.get("page_link")]
    assert {"Mot de passe oublié ?", "Créer un compte", "Renvoyer le message d'activation"} <= set(links)


def test_login_of_a_non_activated_account_offers_a_new_mail(sqlite_url):
    accounts.signup_director(first_name="Hugues", last_name="Traver", function="Directeur (trice)",
                             email=DIRECTOR_EMAIL, password=PASSWORD, accepted_terms=True)
    at = open_page("pages/login.py")
    at.text_input(key="login_email").input(DIRECTOR_EMAIL)
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    assert any("pas encore activé" in e.value for e in at.error)
    at.button(key="login_resend").click().run()
    assert any("nouveau message" in s.value for s in at.success)
    assert len(mail.outbox(to=DIRECTOR_EMAIL)) == 2


def test_login_with_remember_hands_the_browser_to_the_cookie_route(sqlite_url):
    user = auth.create_user(role=Role.COORDINATOR, email="c@ac-dijon.fr", password=PASSWORD)
    at = open_page("pages/login.py")
    at.text_input(key="login_email").input(user.email)
    at.text_input[1].input(PASSWORD)
    at.checkbox[0].check()
    at.button[0].click().run()
    assert not at.exception
    body = at.get("html")[0].proto.body
    assert 'action="/app/session"' in body and 'name="token"' in body
    token = re.search(r'name="token" value="([\w-]+)"', body).group(1)
    assert login_sessions.open_remembered_session(token) is not None


def test_password_reset_pages(sqlite_url):
    auth.create_user(role=Role.DIRECTOR, email=DIRECTOR_EMAIL, password=PASSWORD, uai="0710020L",
                     first_name="Hugues", last_name="Traver")
    at = open_page("pages/password_reset.py")
    at.text_input[0].input(DIRECTOR_EMAIL)
    at.button[0].click().run()
    assert any("Si un compte existe" in s.value for s in at.success)
    token = re.search(r"token=([\w-]+)", mail.outbox(to=DIRECTOR_EMAIL, limit=1)[0].body_text).group(1)
    at = open_page("pages/password_reset.py", token=token)
    at.text_input(key="reset_password").input("Nouveau-mot-2025?")
    at.button[0].click().run()
    assert any("Votre mot de passe a été changé" in s.value for s in at.success)
    assert auth.authenticate(DIRECTOR_EMAIL, "Nouveau-mot-2025?")
    at = open_page("pages/password_reset.py", token=token)
    assert any("déjà servi" in e.value for e in at.error)


def test_mon_compte_changes_name_function_and_password(sqlite_url):
    user = auth.create_user(role=Role.DIRECTOR, email=DIRECTOR_EMAIL, password=PASSWORD, uai="0710020L",
                            first_name="Hugues", last_name="Traver", function="Directeur (trice)")
    at = open_page("pages/account.py", user.id)
    assert at.title[0].value == "Mon compte"
    inputs = {w.label: w for w in at.text_input}
    inputs["Prénom"].input("Hugo")
    inputs["Fonction au sein de l'entreprise"].input("Directeur d'école")
    at.button[0].click().run()
    assert user_by_email(DIRECTOR_EMAIL).first_name == "Hugo"
    assert user_by_email(DIRECTOR_EMAIL).function == "Directeur d'école"
    at.text_input(key="account_current_password").input("Mauvais-mot-2025!")
    at.text_input(key="account_new_password").input("Nouveau-mot-2025?")
    at.button[1].click().run()
    assert "Le mot de passe actuel est incorrect." in [e.value for e in at.error]
    at.text_input(key="account_current_password").input(PASSWORD)
    at.text_input(key="account_new_password").input("Nouveau-mot-2025?")
    at.button[1].click().run()
    assert not at.exception
    assert any("Votre mot de passe a été changé" in s.value for s in at.success)
    assert auth.authenticate(DIRECTOR_EMAIL, "Nouveau-mot-2025?").id == user.id


def test_terms_and_privacy_are_real_pages(sqlite_url):
    at = open_page("pages/terms.py")
    assert at.title[0].value == "Conditions d'utilisation" and "8 essais" in texts(at)
    at = open_page("pages/privacy.py")
    page = texts(at)
    assert at.title[0].value == "Politique de confidentialité"
    assert "anonymisées à la fin de l'année scolaire" in page and "2 ans" in page and "DSDEN" in page


def test_a_session_ends_when_the_password_is_changed_elsewhere(sqlite_url):
    """Issue 10: an ordinary (not remembered) session used to survive a password change or reset."""
    from stages.services import auth as auth_service
    from tests.app.conftest import make_app

    user = auth_service.create_user(role=Role.STUDENT, email="lea@example.fr", password=PASSWORD,
                                    first_name="Léa", last_name="Martin")
    at = make_app(user.id).run()
    assert at.title[0].value == "Offres de stage"
    # The same account changes its password from another device.
    accounts.change_password(auth_service.load_user(user.id), current_password=PASSWORD,
                             new_password="Nouveau-mot-2025?")
    at.run()
    assert "user_id" not in at.session_state
    assert any("Votre session a pris fin" in w.value for w in at.warning)


def test_changing_ones_own_password_keeps_this_session(sqlite_url):
    from stages.services import auth as auth_service
    from tests.app.conftest import open_page as open_as

    user = auth_service.create_user(role=Role.STUDENT, email="lea@example.fr", password=PASSWORD,
                                    first_name="Léa", last_name="Martin")
    at = open_as(user.id, "account.py")
    at.text_input(key="account_current_password").input(PASSWORD)
    at.text_input(key="account_new_password").input("Nouveau-mot-2025?")
    next(b for b in at.button if b.label == "Changer le mot de passe").click().run()
    assert any("mot de passe a été changé" in s.value for s in at.success)
    assert at.session_state["user_id"] == user.id
    at.run()
    assert at.session_state["user_id"] == user.id
