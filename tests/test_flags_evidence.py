"""Evidence cross-check: every number in every flag's evidence equals the
table cell it cites (tests/flag_evidence.py), on every scenario study and
on the example-like tables; the checker itself rejects a wrong number."""

from __future__ import annotations

import flag_evidence as fe
import flag_scenarios as fs
import pytest
import test_translation as tt

from scripts import settings
from scripts import translation as tr

CONFIG = settings.config()


def test_numbers_are_parsed_with_their_precision_and_sign():
    found = fe.numbers_in("FST -40 vs vehicle (p_adj 1.8e-10, 95% CI 0.049-0.098); 5-HT2C 4.88-fold; 4%-12%")
    assert [round(v, 12) for v, _, _ in found] == [-40.0, 1.8e-10, 0.049, 0.098, 4.88, 4.0, 12.0]
    assert [p for _, _, p in found] == [False, False, False, False, False, True, True]
    assert found[2][1] == pytest.approx(0.0005)


@pytest.mark.parametrize("name", list(fs.SCENARIOS))
def test_every_evidence_number_is_its_cited_cell_in_each_scenario(name, tmp_path):
    tables, study, reference = fs.scenario(name, tmp_path / name)
    out = fs.translate(tables, study, reference)
    flags = tr.raised(out["flags"])
    checked = fe.check_flags(flags, fe.tables_of(tables, out), CONFIG)
    with_numbers = [f for f in flags["evidence"] if fe.numbers_in(f)]
    assert checked >= len(with_numbers)


def test_example_like_tables_evidence_matches_cells_and_a_wrong_number_is_caught():
    tables = tt.example_like_tables()
    out = tt._run(tables)
    flags = tr.raised(out["flags"])
    assert fe.check_flags(flags, fe.tables_of(tables, out), CONFIG) > 20
    # Tamper with one cited cell: the check must fail.
    bad = dict(tables, bioavailability=tables["bioavailability"].assign(f=0.09))
    with pytest.raises(AssertionError, match="bioavailability_mismatch"):
        fe.check_flags(flags, fe.tables_of(bad, out), CONFIG)


def test_every_flag_id_is_in_the_registry():
    tables = tt.example_like_tables()
    flags = tt._run(tables)["flags"]
    assert set(flags["flag_id"]) <= set(tr.FLAGS)
    assert list(flags.columns) == tr.FLAG_COLUMNS


def test_citations_render_author_year_without_a_number_never_a_key():
    import yaml

    bib = tr.bibliography(None)
    keys = list(yaml.safe_load(tr.reference.BIBLIOGRAPHY.read_text(encoding="utf-8")))
    assert tr.citation("timmer2000", bib) == "Timmer et al. 2000"
    assert tr.citation("smith2000", bib) == "Smith et al. 2000"
    assert tr.citation("no_primary_source", bib) == "unsourced"
    flags = tt._run(tt.example_like_tables())["flags"]
    bio = flags.set_index("flag_id").loc["bioavailability_mismatch"]
    assert bio["evidence"].endswith("Sources: Timmer et al. 2000.")
    assert bio["references"].split(";")[0] == "timmer2000"
    text = " ".join(flags["evidence"]) + " ".join(flags["recommendation"])
    assert not any(key in text for key in keys if "_" in key or any(c.isdigit() for c in key))


def test_evidence_text_lists_tests_in_words_and_keeps_computed_zeros():
    from scripts.translation.registry import and_list, sig, tests_text

    assert tests_text("elevated_plus_maze;fst;open_field;sucrose_preference") == (
        "elevated plus maze, FST, open field and sucrose preference"
    )
    assert tests_text(["fst"]) == "FST" and and_list(["a", "b"]) == "a and b"
    # a computed value keeps its significant zeros; without `zeros` (reference values) none are added
    assert [sig(0.04, 2, zeros=True), sig(5, 2, zeros=True), sig(12.3, 2, zeros=True)] == [
        "0.040",
        "5.0",
        "12",
    ]
    assert [sig(0.5, 2), sig(40, 2), sig(1534.2, 3)] == ["0.5", "40", "1534"]
    # the cross-check reads "0.040" with its precision (+-0.0005)
    assert fe.numbers_in("F 0.040") == [(0.04, pytest.approx(0.0005), False)]
