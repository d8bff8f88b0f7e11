"""The web console: the office's review desk (staff) and each unit's own page (liaisons).

Served by `creditbot serve` under /console; registered by the app factory (bot.app)."""
