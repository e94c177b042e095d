"""Boosted trees as plain arrays: a fitted HistGradientBoostingClassifier, flattened and run.

`flatten` copies every tree's nodes (feature, threshold, left, right, leaf value) into flat
numeric arrays with per-tree offsets, plus the baseline and the class order. `tree_proba`
walks all trees at once, level by level (`x <= threshold` goes left, as scikit-learn's
predictor does for numeric features without missing values), sums leaf values per class onto
the baseline and applies the softmax. No pickle, no estimator object at prediction time.
"""

from __future__ import annotations

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier

TREE_KEYS = ("feature", "threshold", "left", "right", "leaf", "value", "tree_class",
             "roots", "baseline")


def flatten(model: HistGradientBoostingClassifier) -> dict[str, np.ndarray]:
    """The fitted trees as numeric arrays (keys TREE_KEYS)."""
    feats, thr, left, right, leaf, value, tree_class, roots = [], [], [], [], [], [], [], []
    offset = 0
    for per_class in model._predictors:
        for k, pred in enumerate(per_class):
            nodes = pred.nodes
            roots.append(offset)
            tree_class.append(k)
            feats.append(nodes["feature_idx"].astype(np.int64))
            thr.append(nodes["num_threshold"].astype(np.float64))
            left.append(nodes["left"].astype(np.int64) + offset)
            right.append(nodes["right"].astype(np.int64) + offset)
            leaf.append(nodes["is_leaf"].astype(bool))
            value.append(nodes["value"].astype(np.float64))
            offset += len(nodes)
    return {
        "feature": np.concatenate(feats), "threshold": np.concatenate(thr),
        "left": np.concatenate(left), "right": np.concatenate(right),
        "leaf": np.concatenate(leaf), "value": np.concatenate(value),
        "tree_class": np.array(tree_class, dtype=np.int64),
        "roots": np.array(roots, dtype=np.int64),
        "baseline": np.asarray(model._baseline_prediction, dtype=np.float64).ravel(),
    }


def tree_proba(trees: dict[str, np.ndarray], X: np.ndarray) -> np.ndarray:
    """Class probabilities (n, n_classes) of rows X, in the fitted model's class order."""
    n = X.shape[0]
    n_classes = len(trees["baseline"])
    node = np.broadcast_to(trees["roots"], (n, len(trees["roots"]))).copy()
    rows = np.arange(n)[:, None]
    feature, threshold, leaf = trees["feature"], trees["threshold"], trees["leaf"]
    left, right = trees["left"], trees["right"]
    while True:
        active = ~leaf[node]
        if not active.any():
            break
        x = X[rows, np.where(active, feature[node], 0)]
        nxt = np.where(x <= threshold[node], left[node], right[node])
        node = np.where(active, nxt, node)
    raw = np.tile(trees["baseline"], (n, 1))
    leaf_values = trees["value"][node]
    for k in range(n_classes):
        raw[:, k] += leaf_values[:, trees["tree_class"] == k].sum(axis=1)
    raw -= raw.max(axis=1, keepdims=True)
    e = np.exp(raw)
    return e / e.sum(axis=1, keepdims=True)
