"""The model the running service scores with, loaded from the registry at start and on demand."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable

from training.model.registry import ModelNotRegisteredError, ServedModel, load_served_model, served_version
from training.settings import Settings

log = logging.getLogger(__name__)


class ModelHolder:
    """Holds the served model; while none is registered it remembers why and retries on the next request."""

    def __init__(self, settings: Settings, warm: Callable[[ServedModel], None] | None = None) -> None:
        self._settings = settings
        # Run on every model before it serves (compiles and exercises the scoring path), so no caller pays for it.
        self._warm = warm
        self._lock = threading.Lock()
        self.served: ServedModel | None = None
        self.problem: str = "model not loaded yet"

    def load(self) -> ServedModel | None:
        with self._lock:
            try:
                served = load_served_model(self._settings)
                if self._warm is not None:
                    self._warm(served)
                self.served = served
                self.problem = ""
            except ModelNotRegisteredError as error:
                self.problem = str(error)
            return self.served

    def current(self) -> ServedModel | None:
        return self.served or self.load()

    def reload_if_changed(self) -> ServedModel | None:
        """Load the version behind the alias if it is not the one in service (after a promotion), else keep it."""
        live = self.served.version if self.served else None
        if served_version(self._settings) != live:
            return self.load()
        return self.served


async def poll_model(holder: ModelHolder, every_seconds: float) -> None:
    """Reload the champion when the alias moves, without a restart (settings.model_poll_seconds).

    A poll that fails (the registry unreachable, a new version that does not load or warm up) is logged and the
    model in service keeps serving; the next poll tries again, so one bad moment does not end polling for good.
    """
    while True:
        await asyncio.sleep(every_seconds)
        try:
            # Registry calls block; a worker thread keeps requests flowing meanwhile.
            await asyncio.to_thread(holder.reload_if_changed)
        except Exception:
            log.exception("model poll failed; still serving version %s", getattr(holder.served, "version", None))
