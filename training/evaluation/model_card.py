"""The model card: what the model was trained on, how it compares with the baselines and the oracles, its limits."""

from __future__ import annotations

import math

from training.domain.schema import INJURIES, INJURY_NAMES
from training.evaluation.metrics import long_horizon_name, metrics_table
from training.model.horizons import LONG_HORIZON_DAYS

_ABOUT_PREDICTORS = {
    "model": "this model: gradient-boosted trees per injury, fitted and Platt-recalibrated (on held-out calibration"
    " athletes) to the simulator's true risk of each row as a soft label",
    "oracle": "true risk using the realised FUTURE training (next 7 days' runs): an upper bound no model can reach",
    "oracle_fair": "true hazard known at day t (last 7 days' true hazard carried forward): the fair reference",
    "logistic": "logistic regression on the same standardised features",
    "acwr": "observed training onset rate per acute:chronic workload band (<0.8, 0.8-1.3, 1.3-1.5, >1.5, none)",
    "base_rate": "the population base rate of the training rows, the same for everyone",
}


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return "n/a" if math.isnan(value) else f"{value:.4g}"
    return str(value)


def _ci(metrics: dict[str, float], name: str) -> str:
    low, high = metrics.get(f"{name}_ci_low"), metrics.get(f"{name}_ci_high")
    if low is None or high is None:
        return ""
    return f" (95% CI {_fmt(low)} to {_fmt(high)})"


def model_card(metrics: dict[str, float], data: dict[str, object], version: str | None = None) -> str:
    """Markdown model card from the evaluation metrics and a summary of the data (the logged run params)."""
    lines = [
        f"# Model card: injury-risk{f' version {version}' if version else ''}",
        "",
        "## What it predicts",
        f"For a runner and day t: the probability that each injury starts within the next {data.get('horizon_days', 7)}"
        " days, given the training log up to the end of day t. Injuries: "
        + "; ".join(f"`{k}` {INJURY_NAMES[k]}" for k in INJURIES)
        + ".",
        "",
        "## Intended use",
        "Decision support for runners, coaches and clinicians: spotting raised short-term risk and the training factors"
        " behind it. Not a diagnosis; not for return-to-play decisions; a currently injured athlete is not scored.",
        "",
        "## Data",
        "Trained on a SIMULATED cohort whose hazards follow effect sizes from the running-injury literature"
        " (training/simulation_config.py cites each). Runner-specific evidence for strength work is weak, and several"
        " effects (hamstring incidence, protective doses) are assumptions.",
        "",
        *[f"- {key}: {_fmt(value)}" for key, value in data.items()],
        "",
        "## Evaluation protocol",
        "Athletes are split into training, calibration and test athletes; the test rows are test athletes' days AFTER"
        " the training period (split by athlete and time). Every predictor is scored on the same test rows; intervals"
        " are 95% bootstrap intervals over test athletes.",
        "",
        "References:",
        *[f"- `{name}`: {about}" for name, about in _ABOUT_PREDICTORS.items()],
        "",
        "Why two oracles: the simulator's true 7-day risk depends on how much the athlete runs in those 7 days, which"
        " nobody knows at day t. Matching `oracle` would need knowledge of the future, so the target 'within 0.02 of"
        " the oracle' is judged against `oracle_fair`; the gap to `oracle` is shown too.",
        "",
        "## Headline per injury: against the true risk",
        "The simulator knows every test row's true probability of onset in the next"
        f" {data.get('horizon_days', 7)} days (`oracle`). It is the soft label of these figures: the expected ROC AUC"
        " weighs each pair of rows (i, j) by p_i (1 - p_j); calibration compares the mean predicted with the mean true"
        " risk per decile of the model's risk (target within +-10%) and fits the calibration slope on the true risk.",
        "",
    ]

    def m(name: str) -> float:
        return metrics.get(name, float("nan"))

    for kind in INJURIES:
        if f"{kind}_expected_auc" not in metrics:
            continue
        gap = f"{kind}_expected_auc_gap_to_oracle_fair"
        lines.append(
            f"- **{kind}**: expected ROC AUC {_fmt(m(f'{kind}_expected_auc'))}{_ci(metrics, f'{kind}_expected_auc')};"
            f" fair oracle {_fmt(m(f'oracle_fair_{kind}_expected_auc'))}; gap {_fmt(m(gap))}{_ci(metrics, gap)};"
            f" logistic {_fmt(m(f'logistic_{kind}_expected_auc'))}, ACWR rule {_fmt(m(f'acwr_{kind}_expected_auc'))};"
            f" true/predicted risk {_fmt(m(f'{kind}_truth_expected_ratio'))} overall,"
            f" {_fmt(m(f'{kind}_truth_decile_ratio_min'))} to {_fmt(m(f'{kind}_truth_decile_ratio_max'))} by decile"
            f" ({_fmt(m(f'{kind}_truth_deciles_within_10pct'))} of 10 within +-10%); calibration slope on the truth"
            f" {_fmt(m(f'{kind}_truth_calibration_slope'))}."
        )
        deciles = [
            f"{_fmt(m(f'{kind}_truth_decile_{d}_mean_predicted'))} / {_fmt(m(f'{kind}_truth_decile_{d}_mean_true'))}"
            for d in range(1, 11)
        ]
        lines.append(f"  - mean predicted / mean true risk per decile: {'; '.join(deciles)}")
    lines += ["", "## Headline per injury: against realised onsets", ""]
    for kind in INJURIES:
        if f"{kind}_roc_auc" not in metrics:
            continue
        lines.append(
            f"- **{kind}**: ROC AUC {_fmt(metrics[f'{kind}_roc_auc'])}{_ci(metrics, f'{kind}_roc_auc')};"
            f" fair oracle {_fmt(metrics.get(f'oracle_fair_{kind}_roc_auc', float('nan')))};"
            f" future-exposure oracle {_fmt(metrics.get(f'oracle_{kind}_roc_auc', float('nan')))};"
            f" gap to the fair oracle {_fmt(metrics.get(f'{kind}_auc_gap_to_oracle_fair', float('nan')))}"
            f"{_ci(metrics, f'{kind}_auc_gap_to_oracle_fair')};"
            f" {_fmt(metrics.get(f'{kind}_test_onsets', float('nan')))} test onsets"
            f" ({_fmt(metrics.get(f'{kind}_positive_days', float('nan')))} test rows with an onset ahead);"
            f" observed/expected {_fmt(metrics.get(f'{kind}_observed_expected', float('nan')))}, calibration slope"
            f" {_fmt(metrics.get(f'{kind}_calibration_slope', float('nan')))}."
        )
    lines += ["", "## All predictors", ""]
    table = metrics_table(metrics, INJURIES)
    if table:
        header = list(table[0])
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "---|" * len(header))
        lines += ["| " + " | ".join(_fmt(row[c]) for c in header) + " |" for row in table]
    lines += [
        "",
        "`positive_days` counts test rows with an onset in the next 7 days (each onset labels up to 7 rows).",
        "Calibration is judged relative to the base rate: ECE / base rate, observed/expected overall and per risk"
        " decile with at least 30 onsets (`decile_oe_min`/`max`), and the calibration slope.",
    ]
    lines += _long_horizon_section(metrics, int(str(data.get("horizon_days", 7))))
    lines += [
        "",
        "## Run",
        f"Training and evaluation took {_fmt(m('train_seconds'))} s (simulation included for a chunked cohort) with a"
        f" peak resident memory of at most {_fmt(m('peak_rss_gb'))} GB (each process's own peak added up)."
        " Reproduce: `injury-risk train --profile eval` for the"
        " evaluation profile, `injury-risk ensure-model` on an empty store for the default one.",
        "",
        "## Known limits",
        "- Synthetic training data: the model learns the simulator's assumptions, not the world.",
        "- Evidence quality varies per effect (see the simulation config); strength-work effects are modest by design.",
        "- Seven-day risks are small: a 'high' band means a few times the base rate, not likely injury.",
        f"- The {LONG_HORIZON_DAYS}-day risk assumes the coming week's hazard persists; a raised risk that fades"
        f" within the month reads too high over {LONG_HORIZON_DAYS} days (see 'Over {LONG_HORIZON_DAYS} days').",
    ]
    return "\n".join(lines) + "\n"


def _long_horizon_section(metrics: dict[str, float], horizon_days: int) -> list[str]:
    """The "Over 28 days" section: the 28-day risk against the true 28-day risk and the 28-day onsets (empty for a
    run that did not measure it)."""
    names = {kind: long_horizon_name(kind) for kind in INJURIES if f"{long_horizon_name(kind)}_expected_auc" in metrics}
    if not names:
        return []

    def m(name: str) -> str:
        return _fmt(metrics.get(name, float("nan")))

    lines = [
        "",
        f"## Over {LONG_HORIZON_DAYS} days",
        f"The {LONG_HORIZON_DAYS}-day risk is derived from the {horizon_days}-day risk p as 1 - (1 - p)^"
        f"({LONG_HORIZON_DAYS} / {horizon_days}), assuming the hazard of the coming {horizon_days} days persists"
        " (`training/model/horizons.py`); it ranks rows exactly as p does. It"
        f" is judged on the test rows whose {LONG_HORIZON_DAYS} days ahead lie within the simulated days, against the"
        f" simulator's true {LONG_HORIZON_DAYS}-day risk on the realised path (1 - exp(-sum of the true daily hazards"
        f" over t+1..t+{LONG_HORIZON_DAYS}), the hazards of the training the athlete then did, an injury's own"
        f" hazard carried on after its onset) and against realised onsets within {LONG_HORIZON_DAYS} days. The fair"
        " oracle carries the"
        f" true hazard of the last {LONG_HORIZON_DAYS} days forward.",
        "",
    ]
    for kind, name in names.items():
        gap = f"{name}_expected_auc_gap_to_oracle_fair"
        lines.append(
            f"- **{kind}**: expected ROC AUC {m(f'{name}_expected_auc')}{_ci(metrics, f'{name}_expected_auc')};"
            f" fair oracle {m(f'oracle_fair_{name}_expected_auc')}; gap {m(gap)}{_ci(metrics, gap)}; expected Brier"
            f" {m(f'{name}_expected_brier')} (base rate {m(f'base_rate_{name}_expected_brier')}); true/predicted"
            f" risk {m(f'{name}_truth_expected_ratio')} overall, {m(f'{name}_truth_decile_ratio_min')} to"
            f" {m(f'{name}_truth_decile_ratio_max')} by decile ({m(f'{name}_truth_deciles_within_10pct')} of 10"
            f" within +-10%), calibration slope on the truth {m(f'{name}_truth_calibration_slope')}; realised ROC AUC"
            f" {m(f'{name}_roc_auc')}{_ci(metrics, f'{name}_roc_auc')} on {m(f'{name}_positive_days')} test rows"
            f" with an onset within {LONG_HORIZON_DAYS} days (of {m(f'{name}_test_rows')}), observed/expected"
            f" {m(f'{name}_observed_expected')}."
        )
        deciles = [
            f"{m(f'{name}_truth_decile_{d}_mean_predicted')} / {m(f'{name}_truth_decile_{d}_mean_true')}"
            for d in range(1, 11)
        ]
        lines.append(f"  - mean predicted / mean true {LONG_HORIZON_DAYS}-day risk per decile: {'; '.join(deciles)}")
    table = metrics_table(metrics, tuple(names.values()))
    if table:
        header = list(table[0])
        lines += ["", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(_fmt(row[c]) for c in header) + " |" for row in table]
    return lines


REAL_RUNNERS_HEADING = "## Real runners (Lövdal et al. 2021)"
_REAL_LEARNERS = {
    "product": "the product's features (each file row a log from its window's first day) and calibrated trees",
    "raw_trees": "the same kind of trees on the file's 70 raw window columns, class-balanced",
    "logistic": "logistic regression on the 70 raw columns, class-balanced",
    "bagged": "paper-like: bagged trees on balanced undersamples of the 70 raw columns",
}


def real_runners_section(metrics: dict[str, float], data: dict[str, object], command: str) -> str:
    """Markdown section: the Lövdal cohort's figures (paper split, grouped CV, transfer of the simulator model)."""
    lines = [
        REAL_RUNNERS_HEADING,
        "",
        f"74 competitive runners' 7-day windows ({_fmt(data.get('rows'))} rows, {_fmt(data.get('injuries'))} injury"
        " onsets the day after a window); injury type is not recorded. Only a row's own window can be trusted (rows"
        " around injuries were removed), so every row is scored as a log that starts on its window's first day and"
        " features needing older days are missing. Paper split: trained on all but the 10 most recently recruited"
        f" athletes, tested on them ({_fmt(data.get('test_rows'))} rows, {_fmt(data.get('test_injuries'))} injuries;"
        f" the paper reports 0.724); 95% intervals from {_fmt(data.get('replicates'))} athlete resamples. Cross-"
        f"validation: {_fmt(data.get('folds'))} folds by athlete, repeated {_fmt(data.get('repeats'))} times (mean,"
        " SD and 2.5-97.5th percentile of the fold AUCs).",
        "",
        "| learner | paper split ROC AUC (95% CI) | grouped CV ROC AUC mean (SD; range) |",
        "|---|---|---|",
    ]
    for name in _REAL_LEARNERS:
        paper = f"{name}_paper_roc_auc"
        cv = f"{name}_cv_roc_auc"
        lines.append(
            f"| `{name}` | {_fmt(metrics.get(paper, math.nan))} ({_fmt(metrics.get(f'{paper}_ci_low', math.nan))} to"
            f" {_fmt(metrics.get(f'{paper}_ci_high', math.nan))}) | {_fmt(metrics.get(f'{cv}_mean', math.nan))}"
            f" ({_fmt(metrics.get(f'{cv}_sd', math.nan))}; {_fmt(metrics.get(f'{cv}_low', math.nan))} to"
            f" {_fmt(metrics.get(f'{cv}_high', math.nan))}) |"
        )
    lines += ["", *[f"- `{name}`: {about}" for name, about in _REAL_LEARNERS.items()], ""]
    if "transfer_paper_roc_auc" in metrics:
        lines.append(
            f"Transfer: the simulator-trained model (version {_fmt(data.get('transfer_model_version'))}), its"
            " any-injury risk 1 - prod(1 - p_k) over its four injuries, never fitted to these runners: ROC AUC"
            f" {_fmt(metrics['transfer_paper_roc_auc'])}{_ci(metrics, 'transfer_paper_roc_auc')} on the paper's test"
            f" rows, {_fmt(metrics.get('transfer_all_roc_auc', math.nan))} on all rows."
        )
    else:
        lines.append("Transfer: no simulator-trained model was registered when this ran.")
    lines += [
        "",
        f"Leak guards: strongest single feature on the test rows {_fmt(data.get('strongest_single_feature'))} with ROC"
        f" AUC {_fmt(metrics.get('leak_guard_max_single_auc', math.nan))} (limit 0.85); permuted-label model"
        f" {_fmt(metrics.get('leak_guard_permuted_auc', math.nan))}; look-ahead checked on"
        f" {_fmt(metrics.get('leak_guard_look_ahead_rows', math.nan))} rows.",
        "",
        f"Reproduce: `{command}`",
    ]
    return "\n".join(lines) + "\n"


def with_real_runners(card: str, section: str) -> str:
    """``card`` with its real-runners section replaced by ``section`` (or added at the end)."""
    kept = card.split(REAL_RUNNERS_HEADING)[0].rstrip("\n")
    return kept + "\n\n" + section
