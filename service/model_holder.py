"""The model the running service scores with, loaded from the registry at start and on demand."""

from __future__ import annotations

import threading

from training.registry import ModelNotRegisteredError, ServedModel, load_served_model
from training.settings import Settings


class ModelHolder:
    """Holds the served model; while none is registered it remembers why and retries on the next request."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._lock = threading.Lock()
        self.served: ServedModel | None = None
        self.problem: str = "model not loaded yet"

    def load(self) -> ServedModel | None:
        with self._lock:
            try:
                self.served = load_served_model(self._settings)
                self.problem = ""
            except ModelNotRegisteredError as error:
                self.problem = str(error)
            return self.served

    def current(self) -> ServedModel | None:
        return self.served or self.load()
