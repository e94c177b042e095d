"""Held-out evaluation on the real evaluation sets, with the small session model."""


import numpy as np

from moderation.evaluate import evaluate, identity_terms
from moderation.loaders import Example, load_checklist

from .conftest import DATA, needs_data


def test_identity_terms_come_from_the_verb_template():
    rows = [Example("hug african american", {}, "b", meta={"template": "verb_adj"}),
            Example("kill gay", {}, "b", meta={"template": "verb_adj"}),
            Example("Jim is a gay", {}, "b", meta={"template": "name_adj"})]
    assert identity_terms(rows) == ["african american", "gay"]


@needs_data
def test_evaluate_reports_held_out_figures_and_bias(trained_model_dir):
    result = evaluate(trained_model_dir, DATA, only="rules")
    jigsaw = {r["rule"]: r for r in result["rules"] if r["data"] == "Jigsaw test"}
    assert set(jigsaw) == {"toxicity", "keep_it_clean", "dont_threaten", "be_nice"}
    assert jigsaw["toxicity"]["positives"] == 600 and jigsaw["toxicity"]["negatives"] == 600
    assert 0.7 < jigsaw["toxicity"]["roc_auc"] <= 1.0
    bias = result["bias"]
    # only the occupation template ("You are a great actor") names no identity
    assert bias["terms_without_match"] < 0.02 * bias["rows"] and len(bias["per_term"]) >= 40
    assert all(t["n"] > 0 for t in bias["per_term"])
    bpsn = [t["bpsn_auc"] for t in bias["per_term"]]
    assert bpsn == sorted(bpsn)  # worst first
    sets = {r["data"] for r in result["rules"]}
    assert {"GHC test", "Latent Hatred held-out", "OLID test", "EDOS test",
            "C3 held-out articles"} <= sets
    ghc = {r["rule"]: r for r in result["rules"] if r["data"] == "GHC test"}
    assert ghc["be_nice"]["positives"] == 491 and ghc["dont_threaten"]["positives"] == 24
    queue = result["review_queue"]
    assert queue["acceptable_comments"] > 2000 and 0 <= queue["leave_approve"] <= 1
    checklist = result["checklist"]
    assert checklist["cases"] == len(load_checklist())
    assert sum(f["n"] for f in checklist["per_functionality"]) == checklist["cases"]
    assert len(checklist["wrong"]) == round((1 - checklist["right"]) * checklist["cases"])
    bands = [b for b in result["length_bands"] if b["gold"] == "constructive"]
    assert bands[0]["band"] == "all" and sum(b["n"] for b in bands[1:]) == bands[0]["n"]
    assert all(np.isfinite(b["length_auc"]) for b in bands if b["length_auc"] is not None)


@needs_data
def test_checklist_is_large_varied_and_has_contrasts():
    cases = load_checklist()
    functionalities = {c["functionality"] for c in cases}
    assert len(cases) >= 400 and len(functionalities) >= 15
    assert sum(c["action"] == "approve" for c in cases) >= len(cases) / 3
    assert len({c["id"] for c in cases}) == len(cases)
    for case in cases:
        assert case["action"] in ("approve", "flag")
        assert (case["action"] == "flag") == bool(case["should"])
        assert not set(case["should"]) & set(case["should_not"])


def test_checklist_file_is_what_the_generator_writes():
    import importlib.util

    from moderation.loaders.checklist import CHECKLIST_FILE

    spec = importlib.util.spec_from_file_location("generate", CHECKLIST_FILE.with_name(
        "generate.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.generate() == load_checklist()
