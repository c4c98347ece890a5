"""Metrics against realised onsets and the simulator's truth, baselines, oracles, plots and the model card."""
