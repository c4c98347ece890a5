"""Named training profiles: the cohort `make serve` trains its first model on, and the documented evaluation run
behind `injury-risk train --profile eval`. Both are chunked cohorts: simulated, featurised and scored chunk by chunk.
"""

from __future__ import annotations

from training.fitting.chunks import ChunkedCohort
from training.fitting.train import TrainingConfig
from training.settings import Settings
from training.simulation.simulate import SimulationConfig

# Three quarters of the athletes are test athletes, scored over the last 60% of the scored days: with about 0.02
# hamstring onsets (the rarest injury) per runner-year, 42,000 athletes give some 17,000 test runner-years and about
# 340 test onsets of the rarest injury. Fitted to the true risk, the trees need far fewer athletes than the judging
# does: 15% train, 10% calibrate. Test athletes are scored once a week (each onset is ahead of one test row), which
# keeps the evaluation of 32,000 test athletes to about a million rows.
DEFAULT_TRAINING = TrainingConfig(test_share=0.75, calibration_share=0.1, test_period_share=0.6, test_day_stride=7)

# Sized for the targets of the evaluation: 200,000 athletes give some 1,300 test onsets of the rarest injury.
EVAL_COHORT = SimulationConfig(athletes=200_000, days=365, seed=11)
EVAL_TRAINING = TrainingConfig(
    seed=11, test_share=0.6, calibration_share=0.1, test_period_share=0.6, test_day_stride=7, bootstrap_replicates=200
)


def default_cohort(settings: Settings) -> tuple[ChunkedCohort, TrainingConfig]:
    """The cohort and training config of a first model (settings ``bootstrap_athletes``, ``bootstrap_days``, seed)."""
    config = SimulationConfig(athletes=settings.bootstrap_athletes, days=settings.bootstrap_days, seed=settings.seed)
    return ChunkedCohort(config), DEFAULT_TRAINING.model_copy(update={"seed": settings.seed})


def eval_cohort(athletes: int | None = None) -> tuple[ChunkedCohort, TrainingConfig]:
    """The evaluation cohort (``athletes`` overrides its size, for runs that must fit a smaller budget)."""
    config = EVAL_COHORT if athletes is None else EVAL_COHORT.model_copy(update={"athletes": athletes})
    return ChunkedCohort(config), EVAL_TRAINING
