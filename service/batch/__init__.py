"""Batch scoring of whole cohorts: input, the local and Spark engines, and results to files or the database."""
