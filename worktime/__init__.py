"""Time as the office keeps it: the Asia/Shanghai clock and the work calendar (holidays, 调休,
periods and their deadlines). Sits below ledger/ and reminders/, so both may use it; imports
nothing of the project."""
