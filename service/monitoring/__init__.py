"""Monitoring of the served model: stored assessments against the injuries that followed, and feature drift."""
