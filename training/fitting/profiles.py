"""Named training profiles: the cohort `make serve` trains its first model on, and the documented evaluation run
behind `injury-risk train --profile eval`. Both are chunked cohorts: simulated, featurised and scored chunk by chunk.
"""

from __future__ import annotations

from training.fitting.chunks import ChunkedCohort
from training.fitting.train import TrainingConfig
from training.settings import Settings
from training.simulation.simulate import SimulationConfig

# Half of the athletes are test athletes, scored over the second half of the year: with about 0.025 hamstring onsets
# (the rarest injury) per runner-year, 60,000 athletes give some 330 test onsets of each injury, enough to judge
# against; the other half trains (35%) and calibrates (15%).
DEFAULT_TRAINING = TrainingConfig(test_share=0.5, calibration_share=0.15, test_period_share=0.5)

# Sized for the targets of the evaluation: 200,000 athletes give over 1,000 test onsets of each injury.
EVAL_COHORT = SimulationConfig(athletes=200_000, days=365, seed=11)
EVAL_TRAINING = TrainingConfig(
    seed=11, test_share=0.4, calibration_share=0.15, test_period_share=0.5, bootstrap_replicates=200
)


def default_cohort(settings: Settings) -> tuple[ChunkedCohort, TrainingConfig]:
    """The cohort and training config of a first model (settings ``bootstrap_athletes``, ``bootstrap_days``, seed)."""
    config = SimulationConfig(athletes=settings.bootstrap_athletes, days=settings.bootstrap_days, seed=settings.seed)
    return ChunkedCohort(config), DEFAULT_TRAINING.model_copy(update={"seed": settings.seed})


def eval_cohort(athletes: int | None = None) -> tuple[ChunkedCohort, TrainingConfig]:
    """The evaluation cohort (``athletes`` overrides its size, for runs that must fit a smaller budget)."""
    config = EVAL_COHORT if athletes is None else EVAL_COHORT.model_copy(update={"athletes": athletes})
    return ChunkedCohort(config), EVAL_TRAINING
