"""One logistic regression per rule, each fitted only on the rows that are labelled for it.

`C` is one inverse regularisation strength for all rules or one per rule. `fit(X, Y)` takes Y
of shape (n_samples, n_rules) with 1, 0 or -1 (unknown); a rule with no labelled rows, or with
one class only, is left unscored (its column of `predict_proba` is NaN) rather than given a
made-up number.
"""

from __future__ import annotations

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

MIN_POSITIVES = 5


def _fit_one(X, y: np.ndarray, C: float, class_weight,
             sample_weight: np.ndarray | None) -> LogisticRegression | None:
    known = y >= 0
    if (y[known] == 1).sum() < MIN_POSITIVES or (y[known] == 0).sum() < MIN_POSITIVES:
        return None
    model = LogisticRegression(C=C, solver="liblinear", class_weight=class_weight, max_iter=200,
                               random_state=0)  # liblinear shuffles; fixed, same model anywhere
    weight = None if sample_weight is None else sample_weight[known]
    return model.fit(X[known], y[known], sample_weight=weight)


class RuleClassifiers(ClassifierMixin, BaseEstimator):
    def __init__(self, C: float | tuple[float, ...] = 1.0, class_weight: str | None = None,
                 n_jobs: int = 2):
        self.C = C
        self.class_weight = class_weight
        self.n_jobs = n_jobs

    def fit(self, X, Y, sample_weight=None):
        Y = np.asarray(Y)
        if Y.ndim != 2:
            raise ValueError("Y must be (n_samples, n_rules) with 1, 0 or -1 for unknown")
        Cs = self.C if isinstance(self.C, tuple | list) else (self.C,) * Y.shape[1]
        if len(Cs) != Y.shape[1]:
            raise ValueError(f"C has {len(Cs)} values for {Y.shape[1]} rules")
        fitted = Parallel(n_jobs=self.n_jobs, prefer="threads")(
            delayed(_fit_one)(X, Y[:, j], Cs[j], self.class_weight, sample_weight)
            for j in range(Y.shape[1])
        )
        self.scored_ = np.array([m is not None for m in fitted])
        n_features = X.shape[1]
        self.coef_ = np.zeros((n_features, Y.shape[1]))
        self.intercept_ = np.zeros(Y.shape[1])
        for j, model in enumerate(fitted):
            if model is not None:
                self.coef_[:, j] = model.coef_[0]
                self.intercept_[j] = model.intercept_[0]
        self.n_features_in_ = n_features
        return self

    def decision_function(self, X) -> np.ndarray:
        check_is_fitted(self, "coef_")
        return np.asarray(X @ self.coef_) + self.intercept_

    def predict_proba(self, X) -> np.ndarray:
        """(n_samples, n_rules) probabilities; NaN in the columns of unscored rules."""
        proba = 1.0 / (1.0 + np.exp(-self.decision_function(X)))
        proba[:, ~self.scored_] = np.nan
        return proba

    def predict(self, X) -> np.ndarray:
        return (np.nan_to_num(self.predict_proba(X)) >= 0.5).astype(int)
