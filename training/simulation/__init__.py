"""A synthetic cohort of runners whose daily injury hazards are known."""
