"""Model behaviour under planned training: a single-run spike raises the spike-linked risks, Nordics do not raise
hamstring risk.

Why a dedicated model: the session ``trained`` model (500 athletes x 240 days) sees too few onsets after spikes to
learn the spike effect (checked: with it a 35 km spike lowered the modelled MTSS risk). This module simulates a cohort
where the effect is learnable - more athletes, more unplanned long runs and stronger spike hazard ratios (the
simulator's spike effect, amplified) - and a stronger Nordic protection, then asks the same questions the issue asks
of the product. The assertions are the behaviour the simulator builds in; nothing is loosened to fit the model.
"""

from __future__ import annotations

import pandas as pd
import pytest

from service.guidance.planning import PlannedActivities
from service.guidance.what_if import PlanOutcome, what_if
from tests.factories import cohort
from training.domain.schema import INJURIES
from training.fitting.train import TrainingConfig, train_model
from training.model.risk_model import InjuryRiskModel
from training.settings import Settings
from training.simulation.simulate import SimulationConfig, simulate

pytestmark = pytest.mark.slow

# The simulator links single-run spikes to PFPS, MTSS and Achilles (simulation_config.spike_*_hr), not hamstring.
SPIKE_LINKED = ("pfps", "mtss", "achilles")
_LEARNABLE = SimulationConfig(
    athletes=2000,
    days=240,
    seed=5,
    spike_run_probability=0.08,
    spike_10_30_hr=3.0,
    spike_30_100_hr=4.0,
    spike_over_100_hr=6.0,
    hamstring_eccentric_rr=0.3,
)
AS_OF = pd.Timestamp("2026-06-30")


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> InjuryRiskModel:
    config = _LEARNABLE.with_base_hazards({k: 4.0 * _LEARNABLE.base_hazard(k) for k in INJURIES})
    root = tmp_path_factory.mktemp("behaviour")
    settings = Settings(mlruns_dir=root / "mlruns", data_dir=root / "data")
    return train_model(simulate(config), settings, TrainingConfig(seed=5, max_iter=60, min_samples_leaf=200)).model


def steady_runner():
    """Ten weeks of 4 runs a week, 8 km with a 14 km long run; no strength work."""
    runs = [
        (str((AS_OF - pd.Timedelta(days=i)).date()), 8.0 if i % 7 else 14.0) for i in range(70) if i % 7 in (0, 2, 4, 5)
    ]
    return cohort(runs=runs, athlete_id="A1", sex="M")


def planned_runs(days_and_km: list[tuple[int, float]]) -> PlannedActivities:
    return PlannedActivities(
        runs=pd.DataFrame(
            {
                "activity_id": [f"p{i}" for i in range(len(days_and_km))],
                "date": [AS_OF + pd.Timedelta(days=d) for d, _ in days_and_km],
                "km": [km for _, km in days_and_km],
                "km_threshold": 0.0,
                "km_interval": 0.0,
                "km_sprint": 0.0,
                "duration_min": None,
                "rpe": None,
            }
        )
    )


def nordic_sessions(days: list[int]) -> PlannedActivities:
    return PlannedActivities(
        strength=pd.DataFrame(
            [
                {
                    "activity_id": f"n{d}",
                    "date": AS_OF + pd.Timedelta(days=d),
                    "exercise_id": "nordic_curl",
                    "sets": 3.0,
                    "reps": 10.0,
                    "load_kg": None,
                }
                for d in days
            ]
        )
    )


def by_injury(outcomes: list[PlanOutcome]) -> dict[str, PlanOutcome]:
    return {o.injury: o for o in outcomes}


@pytest.mark.parametrize("plan_days", [1, 3])
def test_big_single_run_spike_raises_the_spike_linked_risks(model: InjuryRiskModel, plan_days: int):
    spike = planned_runs([(1, 35.0)])  # 2.5x the longest run of the previous 30 days
    outcomes = by_injury(what_if(steady_runner(), "A1", AS_OF, spike, AS_OF + pd.Timedelta(days=plan_days), model))
    for kind in SPIKE_LINKED:
        assert outcomes[kind].with_plan > outcomes[kind].without_plan, outcomes[kind]


@pytest.mark.parametrize("sessions", [[1], [1, 4], [1, 4, 8, 11]])
def test_adding_nordic_curls_does_not_raise_hamstring_risk(model: InjuryRiskModel, sessions: list[int]):
    end = AS_OF + pd.Timedelta(days=max(sessions))
    hamstring = by_injury(what_if(steady_runner(), "A1", AS_OF, nordic_sessions(sessions), end, model))["hamstring"]
    assert hamstring.with_plan <= hamstring.without_plan, hamstring
