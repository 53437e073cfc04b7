from stages.domain.text import clean_text, fmt_phone, is_valid_email, normalize_email, normalize_phone
from stages.services.exports import neutralise, to_csv_bytes
from stages.services.referential_formats import short_circonscription_name, uai_is_valid


def test_phone_numbers_get_their_leading_zero_back():
    assert normalize_phone("385383606") == "0385383606"
    assert normalize_phone("03 85 86 52 45") == "0385865245"
    assert normalize_phone("") is None
    assert fmt_phone("0385383606") == "03 85 38 36 06"


def test_clean_text_drops_control_characters_and_keeps_the_rest():
    assert clean_text("  a\x00b\x07c \r\nd ") == "abc \nd"
    assert clean_text("x\ny", multiline=False) == "x y"
    assert clean_text("<b>é</b> 🎒") == "<b>é</b> 🎒"


def test_emails():
    assert normalize_email("  Ce.0711989B@AC-Dijon.fr ") == "ce.0711989b@ac-dijon.fr"
    assert is_valid_email("nom@domaine.fr")
    assert not is_valid_email("nom@domaine")
    assert not is_valid_email("a b@c.fr")


def test_uai_check_letter():
    assert uai_is_valid("0711989B")
    assert uai_is_valid("0710092P")
    assert not uai_is_valid("0711989C")
    assert not uai_is_valid("071198B")


def test_short_circonscription_names():
    assert short_circonscription_name("Circonscription d'inspection du 1er degré du Creusot") == "Le Creusot"
    assert short_circonscription_name("Circonscription d'inspection du 1er degré d'Autun") == "Autun"
    assert short_circonscription_name("Circonscription d'inspection du 1er degré de Chalon sur Saône I") == "Chalon-sur-Saône I"
    assert short_circonscription_name("IEN MAT - ASH") == "IEN MAT - ASH"


def test_exports_neutralise_formulas():
    import pandas as pd

    assert neutralise("=cmd|'/c calc'!A1") == "'=cmd|'/c calc'!A1"
    assert neutralise("+33") == "'+33"
    assert neutralise("-2") == "'-2"
    assert neutralise("@SUM(A1)") == "'@SUM(A1)"
    assert neutralise("Mâcon") == "Mâcon"
    assert neutralise(3) == 3
    data = to_csv_bytes(pd.DataFrame({"Nom": ["=HYPERLINK(\"x\")", "Léa"], "n": [1, 2]}))
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0] == "Nom;n"
    assert "'=HYPERLINK" in text


def test_circonscription_names_are_elided_in_french():
    from stages.domain.text import circonscription_of

    assert circonscription_of("Autun") == "Circonscription d'Autun"
    assert circonscription_of("Le Creusot") == "Circonscription du Creusot"
    assert circonscription_of("Mâcon Nord") == "Circonscription de Mâcon Nord"


def test_markdown_escape_keeps_text_as_typed():
    from stages.ui.safe import md_escape

    assert md_escape("Jean-Pierre O'Neil (Mâcon).") == "Jean-Pierre O'Neil (Mâcon)."
    assert md_escape("**gras** [lien](javascript:x) <b>x</b> :red[rouge] $x$") == (
        r"\*\*gras\*\* \[lien\](javascript\:x) \<b\>x\</b\> \:red\[rouge\] \$x\$"
    )


def test_bidi_controls_are_stripped_like_c0_controls():
    from stages.domain.text import strip_controls

    assert clean_text("photo\u202egpj.exe") == "photogpj.exe"
    assert clean_text("a\u2066b\u2069c\u200fd\u061ce") == "abcde"
    assert strip_controls("  Je\u202e suis\x00 motivé \n") == "  Je suis motivé \n"  # drafts keep their spaces
