"""Activity files (FIT, GPX, TCX, CSV) read into runs and strength sessions of the stored log."""
