"""Retraining on stored athletes whose outcomes are known, with consent, and the gate that judges the result."""
