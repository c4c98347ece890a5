"""The risk model: calibrated tree classifiers, their compiled kernel, risk bands, drivers and the registry."""
