"""Tests mirror the packages: tests/training/... and tests/service/...; shared factories in tests/factories.py."""
