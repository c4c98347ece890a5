"""Named training profiles: the documented evaluation run behind `injury-risk train --profile eval`."""

from __future__ import annotations

from pathlib import Path

from training.fitting.train import TrainingConfig
from training.simulation.simulate import Simulation, SimulationConfig, read_simulation, simulate, write_simulation

# Sized for test events: 16,000 athletes, 30% of them test athletes scored over the last 40% of the year gives
# about 1,600 test runner-years, so roughly 30-70 test onsets per injury (hamstring, the rarest, the fewest).
EVAL_COHORT = SimulationConfig(athletes=16000, days=365, seed=11)
EVAL_TRAINING = TrainingConfig(
    seed=11, test_share=0.3, calibration_share=0.2, test_period_share=0.4, bootstrap_replicates=200
)


def eval_simulation(data_dir: Path) -> tuple[Simulation, TrainingConfig]:
    """The evaluation cohort (simulated once into ``data_dir/eval_cohort``) and its training config."""
    folder = data_dir / "eval_cohort"
    if (folder / "config.json").exists():
        simulation = read_simulation(folder)
        if simulation.config == EVAL_COHORT:
            return simulation, EVAL_TRAINING
    simulation = simulate(EVAL_COHORT)
    write_simulation(simulation, folder)
    return simulation, EVAL_TRAINING
