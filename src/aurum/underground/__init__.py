"""Underground mine planning: stope optimisation on a regular block model, stope shapes that
follow a dipping vein, stope scheduling and backfill. Pure: arrays and frames in, arrays,
frames and dataclasses out.
"""

from aurum.core.lazy import lazy_exports

__all__, __getattr__, __dir__ = lazy_exports(__name__, {
    "backfill": ("FillRecipe", "fill_balance", "mitchell_strength", "required_strengths"),
    "schedule": ("Schedule", "ScheduleParams", "StopeTask", "check_schedule", "greedy_schedule",
                 "schedule_stopes", "task_frame"),
    "shapes": ("WALL_COLUMNS", "WALL_STEPS", "best_walls", "vein_stopes"),
    "stopes": ("StopeParams", "Stopes", "floating_stope_envelope", "optimise_stopes",
               "read_block_values"),
})
