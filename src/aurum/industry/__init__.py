"""The regulator's industry monitor: registry vocabulary, statistical reports, the plan's 2027
indicators, plant-scale compliance and industry concentration. Pure: no database, no HTTP."""
