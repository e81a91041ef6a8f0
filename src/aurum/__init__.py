"""Aurum: software for China's Implementation Plan for the High-Quality Development of the
Gold Industry (2025-2027).

Domain packages (``aurum.industry``, ...) are pure: arrays, frames and dataclasses in and out.
``aurum.store`` holds the database, ``aurum.services`` the use cases, ``aurum.api`` and
``aurum.cli`` the entry points.
"""

__version__ = "0.1.0"
