import pytest

from moderation.errors import RulesError
from moderation.rules import load_review_rate, load_rules


def test_default_rules_have_the_documented_ids():
    rules = load_rules()
    assert [r.id for r in rules] == ["toxicity", "keep_it_clean", "dont_threaten", "be_truthful",
                                     "be_nice", "share_with_us"]
    by_id = {r.id: r for r in rules}
    assert by_id["share_with_us"].kind == "signal"
    assert by_id["be_nice"].feeding_labels == ("be_nice", "insult", "identity_hate")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", r"no \[\[rule\]\]"),
        ('[[rule]]\nid = "x"\ntitle = "X"\n', "lacks text"),
        ('[[rule]]\nid = "Bad Id"\ntitle = "X"\ntext = "t"\n', "snake_case"),
        ('[[rule]]\nid = "a"\ntitle = "A"\ntext = "t"\n[[rule]]\nid = "a"\ntitle = "A"\ntext = "t"',
         "twice"),
        ('[[rule]]\nid = "a"\ntitle = "A"\ntext = "t"\nkind = "other"', "kind"),
        ("this is = not toml [", "not valid TOML"),
    ],
)
def test_bad_rules_files_are_refused(tmp_path, body, message):
    path = tmp_path / "rules.toml"
    path.write_text(body)
    with pytest.raises(RulesError, match=message):
        load_rules(path)


def test_missing_rules_file(tmp_path):
    with pytest.raises(RulesError, match="not found"):
        load_rules(tmp_path / "nope.toml")


def test_data_dir_setting_order(monkeypatch, tmp_path):
    from moderation.settings import DEFAULT_DATA_DIR, data_dir

    monkeypatch.delenv("MODERATION_DATA", raising=False)
    assert data_dir() == DEFAULT_DATA_DIR and DEFAULT_DATA_DIR.parts[-3:] == ("shared", "data",
                                                                                "raw")
    monkeypatch.setenv("MODERATION_DATA", str(tmp_path))
    assert data_dir() == tmp_path
    assert data_dir(tmp_path / "x") == tmp_path / "x"


def test_review_rate_setting(tmp_path):
    assert load_review_rate() == 0.05
    path = tmp_path / "rules.toml"
    path.write_text('[[rule]]\nid = "a"\ntitle = "A"\ntext = "t"\n')
    assert load_review_rate(path) is None
    for bad in ("0", "1.5", '"5%"', "true"):
        path.write_text(f'review_rate = {bad}\n[[rule]]\nid = "a"\ntitle = "A"\ntext = "t"\n')
        with pytest.raises(RulesError, match="review_rate"):
            load_review_rate(path)
