"""Makes and defines the risk model: cohort tables, simulator, features, the model, fitting and evaluation."""
