"""Binding figures: the species overlay (one panel per receptor, both
species), pKi per experiment with mean ± SEM, saturation plots marking Bmax
and Kd, and axis labels naming the radioligand without doubled brackets."""

from __future__ import annotations

from test_binding_tables import BINDING, assay_table, curve_rows, fit_assay, saturation_table

from scripts import binding
from scripts.plotting import save_figure


def _experiments(species, kis, receptor="alpha2A", seed=0):
    return [
        [
            dict(row, experiment=str(i + 1))
            for row in curve_rows(receptor=receptor, species=species, ki_nM=ki, noise_cv=0.03, seed=seed + i)
        ]
        for i, ki in enumerate(kis)
    ]


def test_species_overlay_and_pki_per_experiment(tmp_path):
    fits = fit_assay(
        assay_table(
            *_experiments("human", [20, 25, 18]),
            *_experiments("rat", [80, 90, 70], seed=10),
            *_experiments("human", [1, 1.2], receptor="H1", seed=20),
        )
    )
    ki = binding.aggregate_ki(fits)
    summary = binding.ki_summary(ki)
    save_figure(binding.plot_species_overlay(fits, summary), tmp_path / "overlay.svg")
    text = (tmp_path / "overlay.svg").read_text()
    assert text.count('id="axes_') == 2  # alpha2A and H1
    assert "human Ki" in text and "rat Ki" in text and "(n = 3)" in text
    save_figure(binding.plot_pki_by_receptor(ki, summary), tmp_path / "pki.svg")
    text = (tmp_path / "pki.svg").read_text()
    assert "mean ± SEM (points: experiments)" in text


def test_saturation_marks_bmax_and_kd_and_names_the_radioligand(tmp_path):
    table = saturation_table(tmp_path)
    fits = binding.fit_saturation_assay(table, BINDING)
    save_figure(binding.plot_saturation(table, fits), tmp_path / "sat.svg")
    text = (tmp_path / "sat.svg").read_text()
    assert "Kd 0.72 nM" in text and "Bmax 9000 counts" in text
    assert "[3H]RX821002 (nM)" in text and "[[3H]" not in text
