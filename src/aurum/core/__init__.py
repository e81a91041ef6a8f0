"""Shared kernel: errors, configuration, units and periods used by every other layer."""
