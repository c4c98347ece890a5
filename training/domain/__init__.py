"""The cohort tables and their files, the rules a training log obeys, and the exercise catalogue."""
