"""The error an optimizer's configuration raises for a hyper-parameter it cannot take."""

from __future__ import annotations

__all__ = ["OptimizerSettingError"]


class OptimizerSettingError(ValueError):
    """A hyper-parameter value of the wrong kind or out of range; `setting` names it."""

    def __init__(self, message: str, setting: str):
        super().__init__(message)
        self.setting = setting
