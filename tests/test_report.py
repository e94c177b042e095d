"""`moderate evaluate --report`: rendered on a small real model, its numbers are the run's."""

import json
import re

import pytest
from typer.testing import CliRunner

from moderation.cli import app
from moderation.cli.evaluate import suite_matrix

pytest.importorskip("matplotlib")


def test_the_report_shows_the_same_numbers_as_the_json(trained_model_dir, tmp_path):
    out = tmp_path / "report"
    run = CliRunner().invoke(app, ["evaluate", "--only", "rules", "--json", "-q", "-m",
                                   str(trained_model_dir), "--report", str(out)])
    assert run.exit_code == 0, run.stderr
    result = json.loads(run.stdout)  # `evaluate --json` (its own test would run it again)
    assert "overall_auc" in result["bias"]
    page = (out / "index.html").read_text()
    cells = re.findall(r"<td>([^<]*)</td>", page)
    for row in suite_matrix(result, "roc_auc"):
        for key, value in row.items():
            if value:
                assert value.replace("&", "&amp;") in cells or value in cells, (key, value)
    queue = result["review_queue"]
    assert f"{queue['leave_approve']:.1%} of {queue['acceptable_comments']}" in page
    worst = result["bias"]["per_term"][0]
    assert f"<td>{worst['term']}</td>" in page
    images = re.findall(r'<img src="([^"]+)"', page)
    assert {"curves_toxicity.png", "workload_be_nice.png", "calibration.png"} <= set(images)
    for name in images:
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "false positive" in page and "false negative" in page


def test_the_report_needs_the_rules_part(tmp_path):
    run = CliRunner().invoke(app, ["evaluate", "--only", "split", "--report", str(tmp_path)])
    assert run.exit_code != 0 and "--report" in run.stderr
