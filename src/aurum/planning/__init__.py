"""Open-pit planning: block economics, slope precedence, the ultimate pit by maximum closure,
nested pits and cut-off grades. Pure: arrays in, arrays and dataclasses out."""
