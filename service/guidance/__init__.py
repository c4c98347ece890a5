"""What to do next: exercise recommendations and progression, return to run, load guidance, what-if and plans."""
