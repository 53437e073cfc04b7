from stages.domain.offer_reference import level_label, offer_reference


def test_reference_has_number_and_period_and_level_only_when_it_differs():
    assert offer_reference(12, "stage de 1 semaine (x)") == "offre n° 12, stage de 1 semaine (x)"
    assert offer_reference(12, "p", level_college=True) == (
        "offre n° 12, p, Collégiens (4ème et 3ème) et Lycéens de 2de générale et technologique")
    assert offer_reference(3, "p", level_college=True, level_lycee=False) == "offre n° 3, p, Collégiens (4ème et 3ème)"
    assert level_label(False, True) == "Lycéens de 2de générale et technologique"
