"""`moderate evaluate`: held-out figures for the trained models, as tables (or --json).

moderation.evaluate (scikit-learn, the loaders) is imported inside the command, once the
options are checked."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from .. import progress, settings
from ._app import command, model_dir_option, reported_errors


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def print_table(rows: list[dict[str, Any]], columns: list[str]) -> None:
    cells = [[_fmt(row.get(c)) for c in columns] for row in rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    typer.echo("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    for r in cells:
        typer.echo("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)))


@command
def evaluate_cli(
    model: model_dir_option = None,
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="Raw data sets.")] = None,
    only: Annotated[str | None, typer.Option("--only", help="`rules` or `split`.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the full result as JSON.")] = False,
    perturb: Annotated[bool, typer.Option(
        "--perturb", help="Evasion rewrites of the Jigsaw test rows: AUC, recall.")] = False,
    model_card: Annotated[Path | None, typer.Option(
        "--model-card", help="Also write MODEL_CARD.md (this path) from the manifests and "
        "this run.")] = None,
    report: Annotated[Path | None, typer.Option(
        "--report", help="Also write an HTML report with figures to this directory "
        "(needs matplotlib: the `report` extra).")] = None,
    quiet: Annotated[bool, typer.Option(
        "--quiet", "-q", help="No stage-by-stage progress on stderr (it is shown only on a "
        "terminal anyway).")] = False,
) -> None:
    """ROC AUC, average precision, precision/recall at the saved thresholds, bias and splitter."""
    progress.enable(quiet)
    if only is not None and only not in settings.PARTS:
        raise typer.BadParameter(f"must be one of {', '.join(settings.PARTS)}", param_hint="--only")
    if report is not None and only == "split":
        raise typer.BadParameter("the report needs the rules part", param_hint="--report")
    if perturb:
        from ..perturb import evaluate_model_perturbations

        with reported_errors():
            rows = evaluate_model_perturbations(model, settings.data_dir(data_dir))
        if as_json:
            typer.echo(json.dumps(rows, indent=2))
        else:
            print_table(rows, ["rule", "rewrite", "roc_auc", "drop", "recall@review",
                               "clean_recall@review"])
        return
    from ..evaluate import evaluate

    keep: list[dict[str, Any]] | None = [] if report is not None else None
    with reported_errors():
        result = evaluate(model, settings.data_dir(data_dir), only, keep=keep)
    if as_json:
        typer.echo(json.dumps(result, indent=2))
    else:
        if "rules" in result:
            print_rules(result)
        if "splitter" in result:
            print_splitter(result["splitter"])
    if keep is not None:  # --report
        with reported_errors():
            index = write_html_report(report, settings.model_dir(model), result, keep)
        typer.echo(f"wrote {index}", err=True)
    if model_card is not None:
        with reported_errors():
            write_model_card(model_card, settings.model_dir(model), result)
        typer.echo(f"wrote {model_card}", err=True)


def write_html_report(directory: Path, model_dir: Path, result: dict[str, Any],
                      keep: list[dict[str, Any]]) -> Path:
    """The HTML report of `result` (moderation.report) for the rules model in `model_dir`."""
    from ..model_files import load_rules_model, rules_model_path
    from ..report import write_report

    model, _ = load_rules_model(rules_model_path(model_dir))
    return write_report(directory, model, result, keep, suite_matrix(result, "roc_auc"))


def write_model_card(path: Path, model_dir: Path, result: dict[str, Any]) -> None:
    """MODEL_CARD.md from the model directory's manifests and `result` (moderation.model_card),
    written to a temporary file and renamed, so a failed run leaves the old card."""
    from ..model_card import render_model_card
    from ..model_files import rules_model_path, splitter_path
    from ..persist import manifest_path, read_manifest

    manifests = {kind: read_manifest(where) for kind, where in (
        ("rules", rules_model_path(model_dir)), ("splitter", splitter_path(model_dir)))
        if manifest_path(where).exists()}
    has_rules = "rules" in result
    text = render_model_card(manifests, result,
                             suite_matrix(result, "roc_auc") if has_rules else [],
                             suite_matrix(result, "recall@review") if has_rules else [])
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


SUITE_RULES = ("toxicity", "keep_it_clean", "dont_threaten", "be_nice", "share_with_us",
               "be_truthful")


def suite_matrix(result: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """Rules x evaluation sets: `key` (e.g. roc_auc) per cell; several golds in one cell are
    joined with '/', in the order of moderation.evaluate.CHECKS."""
    sets = list(dict.fromkeys(r["data"] for r in result["rules"]))
    out = []
    for rule in SUITE_RULES:
        row: dict[str, Any] = {"rule": rule}
        for name in sets:
            cells = [_fmt(r.get(key)) for r in result["rules"]
                     if r["data"] == name and r["rule"] == rule]
            row[name] = "/".join(cells) if cells else ""
        bias = ({"toxicity": result["bias"]} | result.get("bias_rules", {})).get(rule)
        if bias and key == "roc_auc":
            worst = bias["per_term"][0] if bias["per_term"] else {}
            row["bias_madlibs"] = (f"{_fmt(bias['overall_auc'])} "
                                   f"(BPSN {worst.get('term')} {_fmt(worst.get('bpsn_auc'))})")
        checklist = result.get("checklist", {}).get("per_rule", {}).get(rule)
        if checklist and key == "roc_auc":
            row["checklist fires/quiet"] = (f"{_fmt(checklist['fires'])}/"
                                            f"{_fmt(checklist['quiet'])}")
        out.append(row)
    return out


def print_rules(result: dict[str, Any]) -> None:
    typer.echo("== Rules x evaluation sets: ROC AUC (held-out data only; gold per cell below)")
    matrix = suite_matrix(result, "roc_auc")
    print_table(matrix, list(dict.fromkeys(k for row in matrix for k in row)))
    typer.echo("\n== Recall at the saved review threshold (the review-rate operating point)")
    matrix = suite_matrix(result, "recall@review")
    print_table(matrix, list(dict.fromkeys(k for row in matrix for k in row)))
    queue = result.get("review_queue")
    if queue:
        typer.echo(f"\n== C3 held-out articles, {queue['acceptable_comments']} comments judged "
                   f"acceptable (crowd_toxicity_level < 2): {_fmt(queue['leave_approve'])} "
                   f"leave approve ({_fmt(queue['rejected'])} rejected); flagged by rule: "
                   + ", ".join(f"{k} {_fmt(v)}" for k, v in queue["flagged_by_rule"].items())
                   + "; signals tag: " + ", ".join(
                       f"{k} {_fmt(v)}" for k, v in queue.get("tagged_by_signal", {}).items()))
    claims = [r for r in result["rules"] if "about" in r]
    for row in claims:
        about = row["about"]
        typer.echo(f"\n== {row['rule']} on {row['data']}: the 'about:' reason on "
                   f"{about['claims']} claims ({about['about_person']} about a person or "
                   f"organisation): precision {_fmt(about['precision'])}, recall "
                   f"{_fmt(about['recall'])}")
    checklist = result.get("checklist")
    if checklist:
        typer.echo(f"\n== Functional checklist ({checklist['cases']} cases): "
                   f"{_fmt(checklist['right'])} of actions right; per functionality")
        print_table(checklist["per_functionality"], ["functionality", "action", "n", "right"])
    typer.echo("\n== Per rule and set")
    print_table(result["rules"], ["data", "rule", "gold", "positives", "negatives", "roc_auc",
                                  "average_precision", "precision@review", "recall@review",
                                  "precision@reject", "recall@reject",
                                  "precision@reject@prevalence"])
    typer.echo("\n== share_with_us on C3 held-out articles, by length (words)")
    print_table(result["length_bands"], ["gold", "band", "n", "auc", "length_auc"])
    for bias in (result["bias"], *result.get("bias_rules", {}).values()):
        typer.echo(f"\n== bias_madlibs ({bias['rows']} templates), {bias['rule']}: overall AUC "
                   f"{_fmt(bias['overall_auc'])}; identity terms, worst BPSN first")
        print_table(bias["per_term"][:10], ["term", "n", "subgroup_auc", "bpsn_auc",
                                            "bnsp_auc"])


def _kind_rows(metrics: dict[str, Any], name: str) -> list[dict[str, Any]]:
    rows = []
    for kind, line in metrics["line_level"].items():
        word = metrics["word_weighted"][kind]
        rows.append({"pages": name, "kind": kind, "line_P": line["precision"],
                     "line_R": line["recall"], "line_F1": line["f1"],
                     "word_P": word["precision"], "word_R": word["recall"],
                     "word_F1": word["f1"], "lines": int(line["support"])})
    return rows


def print_splitter(split: dict[str, Any]) -> None:
    columns = ["pages", "kind", "line_P", "line_R", "line_F1", "word_P", "word_R", "word_F1",
               "lines"]
    real = split["real"]
    first = next(iter(real.values()))
    typer.echo(f"\n== Page splitter on real pages of held-out sites (dragnet_train fold "
               f"{split['held_out_fold']}: {first['pages']} pages), per renderer")
    rows = [row for name, m in real.items() for row in _kind_rows(m, name)]
    if "assembled" in split:
        rows += _kind_rows(split["assembled"], "assembled")
    print_table(rows, columns)
    clean = split.get("real_without_comments_in_main")
    if clean:
        first = next(iter(clean.values()))
        typer.echo(f"\nwithout the held-out pages whose gold puts comments in the main part "
                   f"({first['pages']} pages), word F1 body / comment / boilerplate, "
                   "comment-free pages with any line called comment:")
        for name, m in clean.items():
            w = m["word_weighted"]
            typer.echo(f"  {name:<10} {w['body']['f1']:.3f} / {w['comment']['f1']:.3f} / "
                       f"{w['boilerplate']['f1']:.3f}, "
                       f"{m['comment_free_pages_with_comment_line']}/{m['comment_free_pages']} "
                       f"({m['comment_free_share_with_comment']:.1%})")
    typer.echo("\ncomment-free held-out pages with any line called comment, by the gold "
               "(and by data/splitter/fold0_static_threads.tsv: gold's comment-free pages "
               "whose static HTML holds no reader thread):")
    for name, m in real.items():
        audited = m.get("comment_free_by_static_thread_audit")
        by_audit = (f"; audited {audited['with_comment_line']}/{audited['pages']} "
                    f"({audited['share']:.1%})" if audited else "")
        typer.echo(f"  {name:<10} {m['comment_free_pages_with_comment_line']}/"
                   f"{m['comment_free_pages']} ({m['comment_free_share_with_comment']:.1%})"
                   f"{by_audit}  hit: {' '.join(m.get('comment_free_pages_hit', []))}")
    typer.echo("\nheld-out pages with gold comments where no line is called comment:")
    for name, m in real.items():
        missed = m.get("comment_pages_without_comment_line", [])
        typer.echo(f"  {name:<10} {len(missed)}/{m.get('comment_pages', 0)}  "
                   f"{' '.join(missed)}")
    lenient = split.get("real_lenient_gate")
    if lenient:
        typer.echo("\nwith --thread-gate lenient: word F1 body / comment, comment-free pages "
                   "with a comment line (gold; audited), comment pages with none:")
        for name, m in lenient.items():
            w, audited = m["word_weighted"], m.get("comment_free_by_static_thread_audit")
            by_audit = (f"; {audited['with_comment_line']}/{audited['pages']}" if audited
                        else "")
            typer.echo(f"  {name:<10} {w['body']['f1']:.3f} / {w['comment']['f1']:.3f}, "
                       f"{m['comment_free_pages_with_comment_line']}/{m['comment_free_pages']}"
                       f"{by_audit}, {len(m['comment_pages_without_comment_line'])}/"
                       f"{m['comment_pages']}")
    if "seed_page" in split:
        seed = split["seed_page"]
        typer.echo(f"\nseed page: {seed['comments_found']}/{len(seed['comment_lines'])} comment "
                   f"lines found, lowest confidence {seed['min_comment_confidence']:.2f}, "
                   f"{len(seed['stray_comment_lines'])} other lines called comment")
        for row in seed["comment_lines"] + seed["stray_comment_lines"]:
            typer.echo(f"  {row['line']:>4} {row['kind']:<11} {row['confidence']:.2f}  "
                       f"{row['text'][:70]!r}")
    name, m = next(iter(real.items()))
    typer.echo(f"\nworst held-out real pages ({name}), by mean word F1 of body and comment:")
    for page in m["worst_pages"]:
        typer.echo(f"  {page['page']:>6} {page['site']:<28} F1 {page['word_f1']:.2f}  "
                   f"words moved: {page['words_moved']}")
