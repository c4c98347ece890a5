"""Labels, training, the promotion gate and the training profiles."""
