import threading

import pytest

from moderation import Moderator
from moderation.errors import DataFormatError, ModelLoadError


def test_load_check_and_check_many(fixture_model_dir):
    m = Moderator.load(fixture_model_dir)
    verdict = m.check("You are an idiot and a liar")
    assert set(verdict) == {"text", "scores", "flags", "action", "reasons"}
    many = m.check_many(["You are an idiot and a liar", "Great reporting"])
    assert many[0] == verdict and many[1]["text"] == "Great reporting"
    assert m.check_many([]) == []
    with pytest.raises(DataFormatError):
        m.check_many(["fine", None])


def test_threads_get_the_same_answers(fixture_model_dir):
    m = Moderator.load(fixture_model_dir)
    texts = [f"comment number {i} you moron" if i % 2 else f"good point {i}" for i in range(200)]
    expected = m.check_many(texts)
    results: dict[int, list] = {}

    def work(k: int) -> None:
        results[k] = [m.check(t) for t in texts]

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r == expected for r in results.values())


def test_check_page_scores_only_comment_lines(fixture_model_dir):
    m = Moderator.load(fixture_model_dir)
    page = "\n".join(["Police arrested a man on Main Street on Tuesday, officials said.",
                      "The man was taken to the county jail and will appear in court on Friday.",
                      "Officers said nobody was hurt during the arrest.", "4 Comments",
                      "Dana R. · 2 hours ago", "I live near there and heard the sirens all night.",
                      "Reply", "Sam T. · 1 hour ago", "This is awful, hope the officer is ok",
                      "Reply", "mike_h · 40 minutes ago", "What a moron, lock him up", "Reply",
                      "Lee W. · 10 minutes ago",
                      "Glad nobody was hurt, that corner needs better lighting.", "Reply",
                      "Privacy policy | Contact us"])
    lines = m.split(page)
    rows = m.check_page(page)
    comment_lines = [x["line"] for x in lines if x["kind"] == "comment"]
    assert comment_lines and len(comment_lines) < len(lines)  # else the check below is empty
    assert [r["line"] for r in rows] == comment_lines
    assert all(r["kind"] == "comment" for r in rows)


def test_missing_model_is_a_clear_error(tmp_path):
    with pytest.raises(ModelLoadError, match="moderate train"):
        Moderator.load(tmp_path)


def test_worker_processes_give_the_same_verdicts(fixture_model_dir, monkeypatch):
    import moderation.hook as hook

    monkeypatch.setattr(hook, "PARALLEL_MIN_BATCH", 10)
    texts = [f"you are an idiot number {i}" if i % 3 else f"thanks for this, {i}"
             for i in range(25)]
    serial = Moderator.load(fixture_model_dir).check_many(texts)
    parallel = Moderator.load(fixture_model_dir, n_jobs=2)
    try:
        assert parallel.check_many(texts) == serial
        assert parallel._pool is not None  # the batch really went to the workers
        assert parallel.check_many(texts[:3]) == serial[:3]  # small batches stay here
    finally:
        parallel.close()


def test_load_leaves_the_hosts_garbage_collector_alone_unless_asked(fixture_model_dir):
    import gc

    gc.unfreeze()
    try:
        Moderator.load(fixture_model_dir)
        assert gc.get_freeze_count() == 0
        m = Moderator.load(fixture_model_dir, freeze_gc=True)
        assert gc.get_freeze_count() > 0
        assert m.check("you idiot")["scores"]  # still scores
    finally:
        gc.unfreeze()


def test_workers_need_the_model_directory(fixture_model_dir):
    m = Moderator.load(fixture_model_dir)
    with pytest.raises(ValueError):
        Moderator(m.model, m.manifest, n_jobs=2)
    with pytest.raises(ValueError, match="has none"):
        Moderator(m.model, m.manifest).worker_loader()


def test_a_moderator_reports_its_directory_rule_kinds_and_worker_loader(fixture_model_dir):
    import pickle

    m = Moderator.load(fixture_model_dir)
    assert m.model_dir == fixture_model_dir
    assert m.rule_kinds["share_with_us"] == "signal" and m.rule_kinds["toxicity"] == "violation"
    loader = pickle.loads(pickle.dumps(m.worker_loader()))  # what a spawned worker receives
    assert loader.args == (fixture_model_dir,) and loader.keywords["freeze_gc"] is True


def test_check_many_refuses_one_bare_string(fixture_model_dir):
    m = Moderator.load(fixture_model_dir)
    with pytest.raises(DataFormatError, match="not one string"):
        m.check_many("abc")


def test_a_broken_splitter_only_breaks_splitting(fixture_model_dir, tmp_path):
    import shutil

    from moderation.settings import RULES_MODEL_NAME, SPLITTER_MODEL_NAME

    for name in (RULES_MODEL_NAME, RULES_MODEL_NAME + ".manifest.json"):
        shutil.copy(fixture_model_dir / name, tmp_path / name)
    (tmp_path / SPLITTER_MODEL_NAME).write_bytes(b"\x80\x04 a pickle")
    from moderation.persist import metadata_sha256

    (tmp_path / (SPLITTER_MODEL_NAME + ".manifest.json")).write_text(
        '{"kind": "splitter", "format": 3, "model": {}, "sha256": "0", '
        f'"model_sha256": "{metadata_sha256({})}"}}')
    m = Moderator.load(tmp_path)
    assert m.check("You are an idiot")["action"] in ("review", "reject")
    with pytest.raises(ModelLoadError, match="does not match its manifest"):
        m.check_page("Some article.\n3 comments\nWhat a moron")


def test_load_takes_a_directory_and_workers_refuse_another_model(fixture_model_dir, tmp_path):
    import shutil

    from moderation.settings import RULES_MODEL_NAME

    with pytest.raises(ModelLoadError, match="is a file: give the model directory"):
        Moderator.load(fixture_model_dir / RULES_MODEL_NAME)
    with pytest.raises(ModelLoadError, match="no model directory"):
        Moderator.load(tmp_path / "missing")
    m = Moderator.load(fixture_model_dir)
    loader = m.worker_loader()
    assert loader.keywords["expect_sha256"] == m.manifest["sha256"]
    assert loader().manifest["sha256"] == m.manifest["sha256"]
    # a model retrained between the parent's load and a worker's start is refused
    other = tmp_path / "models"
    shutil.copytree(fixture_model_dir, other)
    with pytest.raises(ModelLoadError, match="not the model the caller loaded"):
        Moderator.load(other, expect_sha256="0" * 64)
