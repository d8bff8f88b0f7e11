"""Time as the office keeps it: the Asia/Shanghai clock (clock), the work calendar of workdays
and holidays (calendar), report periods and their deadlines (period), and Chinese numerals as
people type them (numerals). Sits below ledger/ and reminders/, so both may use it; imports
nothing of the project."""
