"""Deep-mine ventilation and heat: the airway network (Atkinson resistances, fans, natural
ventilation, regulators) solved by Hardy Cross and by Newton's method, and the climate at depth.
Pure: numbers and mappings in, arrays and dataclasses out.
"""

from aurum.core.lazy import lazy_exports

__all__, __getattr__, __dir__ = lazy_exports(__name__, {
    "network": ("Branch", "Fan", "Network", "Solution", "atkinson_resistance",
                "shock_resistance", "solve"),
})
